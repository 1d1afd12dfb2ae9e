// What the benchmarks through the real daemon share: command-line flags, the daemon started as its own process
// (`ctibridge start`) with its CPU read from /proc/PID/stat, Kamailio sized for load, SIPp's statistics file, and
// a loopback packet capture (dumpcap) for measuring on the wire.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startChild, type ChildProcessHandle } from "../../test/harness/child.js";
import { freePortRange, freeTcpUdpPort } from "../../test/harness/free-port.js";
import { startKamailio, type KamailioInstance } from "../../test/harness/kamailio.js";
import { repoRoot } from "../../test/harness/repo-root.js";
import type { TempDir } from "../../test/harness/temp-dir.js";

/** `--name value` from argv, or undefined. */
export function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** A comma-separated list of positive numbers (`--rates 3,3.3`). */
export function numberList(text: string, what: string): number[] {
  const values = text.split(",").map(Number);
  if (values.some((v) => !(v > 0))) throw new Error(`${what} must be positive numbers, got ${JSON.stringify(text)}`);
  return values;
}

const CLK_TCK = 100;
/** CPU time a process (all its threads) has used so far, in ms: in user space and in the kernel (system calls). */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: (Number(fields[11]) * 1000) / CLK_TCK, system: (Number(fields[12]) * 1000) / CLK_TCK }; // utime, stime
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15000, intervalMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface StatRow {
  [column: string]: string;
}

/** The last row of a SIPp `-trace_stat` file (semicolon-separated, header first). */
export function lastStats(file: string): StatRow | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").trim().split("\n");
  if (lines.length < 2) return undefined;
  const head = lines[0]!.split(";");
  const last = lines[lines.length - 1]!.split(";");
  return Object.fromEntries(head.map((h, i) => [h, last[i] ?? ""]));
}

export function machine(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`;
}

/** Kamailio as the call manager under load: 1 GiB of shared memory (each transaction lives there; 64 MiB ran out at 375 calls/s). */
export function startLoadKamailio(dir: TempDir, daemonPort: number): Promise<KamailioInstance> {
  return startKamailio({ daemonPort, dir, sharedMemoryMb: 1024 });
}

/** Ports for a daemon: SIP (UDP+TCP), Open Interface, and an even-aligned media range. */
export interface DaemonPorts {
  sipPort: number;
  httpPort: number;
  mediaMin: number;
  mediaMax: number;
}

export async function daemonPorts(mediaPorts: number): Promise<DaemonPorts> {
  const sipPort = await freeTcpUdpPort();
  const httpPort = await freeTcpUdpPort();
  const mediaMin = await freePortRange(mediaPorts);
  return { sipPort, httpPort, mediaMin, mediaMax: mediaMin + mediaPorts - 1 };
}

/** The configuration lines every benchmark daemon has: loopback SIP/media/HTTP, one TAS call manager. */
export function baseConfig(ports: DaemonPorts, callManagerPort: number): string {
  return `sip: { address: 127.0.0.1, port: ${ports.sipPort}, transports: [udp], trustedPeers: [127.0.0.1] }
media: { address: 127.0.0.1, portMin: ${ports.mediaMin}, portMax: ${ports.mediaMax} }
http: { address: 127.0.0.1, port: ${ports.httpPort} }
sites: [{ id: main, name: Main }]
callManagers:
  - { id: cm, name: CM, site: main, type: TAS, host: 127.0.0.1, port: ${callManagerPort}, keepalive: { interval: 5s, timeout: 2s } }
`;
}

export interface BenchDaemon {
  readonly pid: number;
  readonly httpUrl: string;
  readonly process: ChildProcessHandle;
  cpuMs(): number;
  cpuTimes(): { user: number; system: number };
  getJson<T>(path: string): Promise<T>;
  postJson(path: string, body?: unknown): Promise<Response>;
  /** SIGTERM (the daemon ends its calls and, with --cpu-prof, writes the profile), SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export interface StartDaemonOptions {
  dir: TempDir;
  /** The configuration YAML text (written to `<dir>/<name>.yaml`). */
  config: string;
  httpPort: number;
  /** Data directory (default `<dir>/data`): reuse one to keep the users of an earlier run. */
  dataDir?: string;
  /** Write a V8 CPU profile of the daemon into this directory when it stops. */
  profileDir?: string | undefined;
  /** More flags for the daemon's node (e.g. --trace-gc: its lines go to the daemon's log). */
  nodeFlags?: readonly string[];
  name?: string;
}

/** Starts `node dist/cti/cli.js start` as its own process; resolves once GET /health answers. Log: `<dir>/<name>.log`. */
export async function startBenchDaemon(o: StartDaemonOptions): Promise<BenchDaemon> {
  const name = o.name ?? "daemon";
  const configFile = o.dir.join(`${name}.yaml`);
  writeFileSync(configFile, o.config);
  const profile = o.profileDir ? ["--cpu-prof", "--cpu-prof-dir", o.profileDir] : [];
  const proc = startChild({
    name,
    command: process.execPath,
    args: [...(o.nodeFlags ?? []), ...profile, join(repoRoot(), "dist/cti/cli.js"), "start", "--config", configFile, "--data", o.dataDir ?? o.dir.join("data")],
    dir: o.dir.path,
    graceMs: 30_000,
  });
  const httpUrl = `http://127.0.0.1:${o.httpPort}`;
  await proc.waitUntil(async () => (await fetch(`${httpUrl}/health`).catch(() => undefined))?.ok === true, "GET /health", 20_000, 100);
  return {
    pid: proc.pid,
    httpUrl,
    process: proc,
    cpuMs: () => cpuMs(proc.pid),
    cpuTimes: () => cpuTimes(proc.pid),
    async getJson<T>(path: string): Promise<T> {
      const response = await fetch(httpUrl + path);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    postJson: (path, body) =>
      fetch(httpUrl + path, {
        method: "POST",
        ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      }),
    async stop() {
      await proc.stop();
    },
  };
}

/** A sine tone as raw 8 kHz µ-law, the payload SIPp's rtp_stream loops. */
export async function writeToneFile(path: string, hz: number, seconds = 3): Promise<void> {
  const sox = spawn("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "raw", path, "synth", String(seconds), "sine", String(hz)], { stdio: "ignore" });
  if ((await waitExit(sox)) !== 0) throw new Error(`sox could not write ${path} (is sox installed?)`);
}

/** A scenario from scripts/bench with its placeholders replaced, written into dir; returns the path. */
export function renderBenchScenario(dir: TempDir, file: string, values: Record<string, string | number>, as = file): string {
  let text = readFileSync(join(repoRoot(), "scripts/bench", file), "utf8");
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(key, String(value));
  const path = dir.join(as);
  writeFileSync(path, text);
  return path;
}

export interface Capture {
  readonly file: string;
  /**
   * Stops dumpcap (SIGINT: it flushes and reports) and returns what the kernel and dumpcap dropped; a capture
   * that dropped packets cannot count loss.
   */
  stop(): Promise<{ received: number; dropped: number }>;
}

/**
 * Captures UDP on the loopback interface with dumpcap (libpcap format; `snaplen` bytes per packet: 96 keeps
 * the RTP header, SIP needs the default whole packet). Resolves once dumpcap reports it is capturing.
 */
export async function captureLoopback(dir: TempDir, name: string, filter: string, snaplen?: number): Promise<Capture> {
  const file = dir.join(`${name}.pcap`);
  const proc = startChild({
    name: `dumpcap-${name}`,
    command: "dumpcap",
    args: ["-i", "lo", "-f", filter, "-P", "-w", file, "-B", "256", ...(snaplen ? ["-s", String(snaplen)] : [])],
    dir: dir.path,
    stopSignal: "SIGINT",
    graceMs: 10_000,
  });
  await proc.waitUntil(() => /File: /.test(proc.readLog()), "dumpcap capturing", 10_000, 20);
  // dumpcap opens the file before the kernel filter is attached; a moment later packets are seen.
  await sleep(200);
  return {
    file,
    async stop() {
      await proc.stop();
      const log = proc.readLog();
      const m = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(log);
      if (!m) throw new Error(`dumpcap ${name}: no packet counts in its log ${proc.logPath}:\n${proc.logTail()}`);
      return { received: Number(m[1]), dropped: Number(m[2]) };
    },
  };
}

/** Percentile (0-100) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A markdown table from a header and rows. */
export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
