// Benchmark: SIPp callers dial BVD 2999 (answer, 1-second prompt, hang up) while streaming 20 ms G.711 like a
// phone. Reports, per call rate held for the given duration: calls attempted / successful / failed, SIP
// retransmissions seen by SIPp and by the bridge, and the daemon's CPU milliseconds per call (utime+stime from
// /proc/PID/stat). The daemon runs as its own process (`ctibridge start`), SIPp either straight to it or through
// Kamailio.
//
//   node dist/scripts/bench-ivr.js --rate 100 --duration 60 [--via direct|kamailio] [--rates 100,200,300]
//                                  [--profile DIR]   (V8 CPU profile of the daemon, written when it stops)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../test/harness/repo-root.js";
import { freePortRange, freeTcpUdpPort } from "../test/harness/free-port.js";
import { startKamailio } from "../test/harness/kamailio.js";
import { optionsResponder } from "../test/harness/sipp.js";
import { makeTempDir } from "../test/harness/temp-dir.js";

interface Args {
  profileDir: string | undefined;
  rates: number[];
  duration: number;
  via: "direct" | "kamailio";
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rates = (get("rates") ?? get("rate") ?? "100").split(",").map(Number);
  if (rates.some((r) => !(r > 0))) throw new Error("--rate/--rates must be positive numbers");
  const via = (get("via") ?? "direct") as Args["via"];
  if (via !== "direct" && via !== "kamailio") throw new Error("--via is direct or kamailio");
  return { rates, duration: Number(get("duration") ?? 60), via, profileDir: get("profile") };
}

const CLK_TCK = 100;
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime, stime
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface StatRow {
  [column: string]: string;
}

function lastStats(file: string): StatRow | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").trim().split("\n");
  if (lines.length < 2) return undefined;
  const head = lines[0]!.split(";");
  const last = lines[lines.length - 1]!.split(";");
  return Object.fromEntries(head.map((h, i) => [h, last[i] ?? ""]));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  const dir = makeTempDir(undefined, "bench-ivr");
  const sipPort = await freeTcpUdpPort();
  const httpPort = await freeTcpUdpPort();
  // Even ports carry RTP: 2000 ports = 1000 simultaneous calls, room for 400 calls/s of ~1.2 s each plus latency.
  const mediaMin = await freePortRange(2000);
  const kamailio = args.via === "kamailio" ? await startKamailio({ daemonPort: sipPort, dir, sharedMemoryMb: 1024 }) : undefined;
  // Straight to the daemon, a SIPp answering OPTIONS stands in for the call manager so its link is up.
  const responder = kamailio ? undefined : await optionsResponder({ dir });
  const config = dir.join("bench.yaml");
  writeFileSync(
    config,
    `sip: { address: 127.0.0.1, port: ${sipPort}, transports: [udp], trustedPeers: [127.0.0.1] }
media: { address: 127.0.0.1, portMin: ${mediaMin}, portMax: ${mediaMin + 1999} }
http: { address: 127.0.0.1, port: ${httpPort} }
sites: [{ id: main, name: Main }]
callManagers:
  - { id: cm, name: CM, site: main, type: TAS, host: 127.0.0.1, port: ${kamailio?.port ?? responder!.port}, keepalive: { interval: 5s, timeout: 2s } }
bvds:
  - { number: 2999, kind: serviceAccess, script: benchmark-prompt }
logging: { level: warn }
`,
  );
  const profile = args.profileDir ? ["--cpu-prof", "--cpu-prof-dir", args.profileDir] : [];
  const daemon = spawn(process.execPath, [...profile, join(root, "dist/cti/cli.js"), "start", "--config", config, "--data", dir.join("data")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const health = `http://127.0.0.1:${httpPort}/health`;
  await waitFor(async () => (await fetch(health)).ok, "daemon up");

  const audio = dir.join("caller.pcmu");
  await waitExit(spawn("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "raw", audio, "synth", "3", "sine", "300"], { stdio: "ignore" }));
  const scenario = dir.join("ivr-caller.xml");
  writeFileSync(scenario, readFileSync(join(root, "scripts/bench/ivr-caller.xml"), "utf8").replace("AUDIO_FILE", audio));
  const target = kamailio ? `127.0.0.1:${kamailio.port}` : `127.0.0.1:${sipPort}`;

  const results: string[] = [];
  for (const rate of args.rates) {
    const sippPort = await freeTcpUdpPort();
    const mediaPort = await freePortRange(4);
    const statFile = dir.join(`stat-${rate}.csv`);
    const total = Math.round(rate * args.duration);
    const before = (await (await fetch(health)).json()) as { sip?: { retransmissions: number } };
    const cpu0 = cpuMs(daemon.pid!);
    const t0 = Date.now();
    const sipp = spawn(
      "sipp",
      [target, "-sf", scenario, "-s", "2999", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", String(sippPort), "-mp", String(mediaPort),
        "-r", String(rate), "-m", String(total), "-l", String(rate * 10), "-nostdin", "-trace_stat", "-stf", statFile, "-fd", "1",
        "-timeout", `${args.duration + 60}s`, "-timeout_error", "-max_socket", "60000", "-bg"].filter(Boolean),
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    sipp.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    // -bg detaches: follow the stat file until every call is done.
    await waitExit(sipp);
    let row: StatRow | undefined;
    await waitFor(async () => {
      row = lastStats(statFile);
      return !!row && Number(row["SuccessfulCall(C)"]) + Number(row["FailedCall(C)"]) >= total;
    }, `SIPp at ${rate}/s`, (args.duration + 90) * 1000).catch((e: Error) => console.error(e.message, stderr));
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = cpuMs(daemon.pid!) - cpu0;
    const after = (await (await fetch(health)).json()) as { sip?: { retransmissions: number } };
    const ok = Number(row?.["SuccessfulCall(C)"] ?? 0);
    const failed = Number(row?.["FailedCall(C)"] ?? 0);
    const line =
      `rate=${rate}/s duration=${args.duration}s via=${args.via} calls=${total} ok=${ok} failed=${failed} ` +
      `sippRetransmissions=${row?.["Retransmissions(C)"] ?? "?"} bridgeRetransmissions=${(after.sip?.retransmissions ?? 0) - (before.sip?.retransmissions ?? 0)} ` +
      `cpuMsPerCall=${(cpu / Math.max(ok, 1)).toFixed(2)} daemonCpu=${((cpu / 1000 / elapsed) * 100).toFixed(0)}% elapsed=${elapsed.toFixed(0)}s`;
    console.log(line);
    results.push(line);
    await new Promise((r) => setTimeout(r, 3000));
  }
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
  daemon.kill("SIGTERM");
  await waitExit(daemon);
  await kamailio?.stop();
  await responder?.stop();
  if (results.some((r) => !/failed=0 /.test(r))) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
