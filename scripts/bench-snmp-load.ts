// Benchmark: 1,000 SNMP notifications per second to one destination while the daemon handles calls (issue 5).
//
// The daemon runs as its own process (`ctibridge start`) with one SNMP destination, a real snmptrapd loading the
// project MIB on a free loopback port (v2c INFORM: it acknowledges each one; or v2c TRAP), and its SNMP agent on.
// SIPp callers dial BVD 2999 (answer, 1-second prompt, BYE) straight to the daemon at --call-rate; a SIPp UAS
// answering OPTIONS stands in for the call manager.
//   warm-up  calls only, --warmup s (JIT, pools), reported but not the baseline.
//   phase 1  calls only, --seconds long: the baseline.
//   phase 2  the same calls plus --rate notifications per second for --seconds.
//   phase 3  calls only again: the baseline after the flood (drift, a backlog the flood left behind).
//   phase 4  the notifications alone, --seconds: their CPU cost without the calls' CPU drifting underneath.
// Call-handling latency is measured on the wire (dumpcap on lo, the daemon's SIP port): the caller's INVITE in →
// the daemon's 200 OK out, by Call-ID. The notifications are the daemon's own: the bench sends SNMP GETs with a
// wrong community to the daemon's agent, and each rejected request is a real `snmp.authenticationFailure` event on
// the bus → forwarder → destination, exactly as in production (nothing benchmark-only in the daemon). Flood
// damping is off in this config (`damping.maxPerWindow: 0`), else it would rightly collapse one source's flood.
// What left and came back is read from a capture of the destination port (informs, retransmissions, responses),
// from snmptrapd's log (each notification's secEventSequence), and from the daemon's own counters (its SNMP agent
// during the run, its "SNMP forwarder stopped" log line at the end: sent, dropped, queue high-water mark).
//
//   npm run build && node dist/scripts/bench-snmp-load.js [--rate 1000] [--seconds 30] [--kind inform|trap]
//        [--call-rate 50] [--warmup 10] [--profile DIR] [--keep]
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import dgram from "node:dgram";
import { loadavg } from "node:os";
import snmp from "net-snmp";
import { startChild, type ChildProcessHandle } from "../test/harness/child.js";
import { freePortRange, freeTcpUdpPort, freeUdpPort } from "../test/harness/free-port.js";
import { optionsResponder } from "../test/harness/sipp.js";
import { makeTempDir, type TempDir } from "../test/harness/temp-dir.js";
import { toolMibDir, TOOL_ENV, varbind } from "../test/snmp/snmptrapd.js";
import { MibCatalog } from "../snmp/mib-catalog.js";
import {
  baseConfig,
  captureLoopback,
  cpuTimes,
  daemonPorts,
  flag,
  lastStats,
  machine,
  markdownTable,
  percentile,
  renderBenchScenario,
  sleep,
  startBenchDaemon,
  waitFor,
  writeToneFile,
  type BenchDaemon,
  type DaemonPorts,
} from "./bench/bench-support.js";
import { readUdpDatagrams } from "./bench/pcap-udp.js";

const BVD = "2999";
const MONITOR_COMMUNITY = "bench-monitor";
const WRONG_COMMUNITY = "bench-wrong-community";
/** How long informs/traps may take to arrive after the flood before the rest counts as lost. */
const DRAIN_MS = 60_000;

interface Args {
  rate: number;
  seconds: number;
  kind: "inform" | "trap";
  callRate: number;
  warmup: number;
  profileDir: string | undefined;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const kind = (flag(argv, "kind") ?? "inform") as Args["kind"];
  if (kind !== "inform" && kind !== "trap") throw new Error("--kind is inform or trap");
  const args: Args = {
    rate: Number(flag(argv, "rate") ?? 1000),
    seconds: Number(flag(argv, "seconds") ?? 30),
    kind,
    callRate: Number(flag(argv, "call-rate") ?? 50),
    warmup: Number(flag(argv, "warmup") ?? 10),
    profileDir: flag(argv, "profile"),
    keep: argv.includes("--keep"),
  };
  for (const k of ["rate", "seconds", "callRate"] as const) if (!(args[k] > 0)) throw new Error(`--${k}: expected a positive number`);
  return args;
}

// ── the receiver ─────────────────────────────────────────────────────────────────────────────────────────────

interface Receiver {
  port: number;
  proc: ChildProcessHandle;
  log: string;
}

/** snmptrapd loading the project MIB; one line per notification: "NOTIFICATION <varbind>~<varbind>…". */
async function startReceiver(dir: TempDir): Promise<Receiver> {
  const mibs = toolMibDir(dir.path);
  const conf = dir.join("snmptrapd.conf");
  writeFileSync(conf, "disableAuthorization yes\n");
  const log = dir.join("traps.log");
  const port = await freeUdpPort();
  const proc = startChild({
    name: "snmptrapd",
    command: "snmptrapd",
    args: ["-f", "-C", "-c", conf, "-Lf", log, "-n", "-t", "-X", "-M", mibs, "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB", "-F", "NOTIFICATION %V~%v\\n", `udp:127.0.0.1:${port}`],
    dir: dir.path,
    env: TOOL_ENV(dir.path),
  });
  await proc.waitUntil(() => existsSync(log) && readFileSync(log, "utf8").includes("NET-SNMP version"), "snmptrapd started", 5000, 50);
  return { port, proc, log };
}

interface Received {
  /** Notification lines snmptrapd logged (with duplicates), and the distinct secEventSequence values among them. */
  lines: number;
  sequences: Set<number>;
  /** The same for the authentication-failure notifications (the flood) alone. */
  authLines: number;
  authSequences: Set<number>;
}

function readReceived(log: string): Received {
  const r: Received = { lines: 0, sequences: new Set(), authLines: 0, authSequences: new Set() };
  for (const line of readFileSync(log, "utf8").split("\n")) {
    if (!line.startsWith("NOTIFICATION ")) continue;
    const seq = Number(varbind(line, "secEventSequence"));
    r.lines++;
    if (Number.isFinite(seq)) r.sequences.add(seq);
    if (!line.includes("secSnmpAuthFailure")) continue;
    r.authLines++;
    if (Number.isFinite(seq)) r.authSequences.add(seq);
  }
  return r;
}

/** Datagrams the kernel dropped for the UDP socket bound to 127.0.0.1:port (its receive buffer was full), from
 * the `drops` column of /proc/net/udp. */
function udpSocketDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) return Number(fields[fields.length - 1]);
  }
  return Number.NaN;
}

// ── the flood: SNMP GETs with a wrong community to the daemon's agent ───────────────────────────────────────

function berLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}
const tlv = (tag: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), berLength(body.length), body]);
};
const int = (n: number) => tlv(0x02, Buffer.from([(n >> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]));

/** An SNMPv2c GetRequest for sysDescr.0 (1.3.6.1.2.1.1.1.0) with the given community. */
function getRequest(community: string, requestId: number): Buffer {
  const sysDescr = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]);
  const varbinds = tlv(0x30, tlv(0x30, tlv(0x06, sysDescr), Buffer.from([0x05, 0x00])));
  return tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x04, Buffer.from(community)), tlv(0xa0, int(requestId), int(0), int(0), varbinds));
}

/** Sends `rate` rejected requests per second for `seconds`, evenly in 5 ms ticks; resolves with how many. */
async function flood(agentPort: number, rate: number, seconds: number): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const total = Math.round(rate * seconds);
  let sent = 0;
  const t0 = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) socket.send(getRequest(WRONG_COMMUNITY, sent + 1), agentPort, "127.0.0.1");
    await sleep(5);
  }
  await sleep(100);
  socket.close();
  return sent;
}

// ── the daemon's counters, read through its own SNMP agent ──────────────────────────────────────────────────

interface Counters {
  sent: number;
  dropped: number;
  pending: number;
}

function agentReader(agentPort: number): { read(): Promise<Counters>; close(): void } {
  const catalog = MibCatalog.load();
  const names = ["secNotificationsSent", "secNotificationsDropped", "secInformsPending"] as const;
  const oids = names.map((n) => `${catalog.object(n).oid}.0`);
  const session = snmp.createSession("127.0.0.1", MONITOR_COMMUNITY, { port: agentPort, version: snmp.Version2c, timeout: 2000, retries: 1 });
  return {
    read: () =>
      new Promise((resolve, reject) =>
        session.get(oids, (error, varbinds) => {
          if (error || !varbinds) return reject(error ?? new Error("no varbinds"));
          const [sent, dropped, pending] = varbinds.map((v) => Number(v.value));
          resolve({ sent: sent!, dropped: dropped!, pending: pending! });
        }),
      ),
    close: () => session.close(),
  };
}

// ── the wire: informs, retransmissions and acknowledgements on the destination port ───────────────────────

interface Wire {
  /** Notification PDUs (inform 0xa6 / v2 trap 0xa7) the daemon sent, retransmissions included. */
  notifications: number;
  /** Of those, byte for byte the same as one sent before: retransmissions. (A request-id seen before is not
   * enough: net-snmp draws ids at random from 10^8, so a run of 30,000 repeats a few.) */
  retransmissions: number;
  /** Response PDUs (0xa2) snmptrapd sent back. */
  responses: number;
}

/** Reads a BER length at `at`; returns [length, offset of the content]. */
function readLength(b: Buffer, at: number): [number, number] {
  const first = b[at]!;
  if (first < 0x80) return [first, at + 1];
  const count = first & 0x7f;
  let n = 0;
  for (let i = 1; i <= count; i++) n = n * 256 + b[at + i]!;
  return [n, at + 1 + count];
}

/** The PDU tag and request-id of an SNMPv1/v2c message, or undefined. */
function pduOf(b: Buffer): { tag: number; requestId: number } | undefined {
  try {
    let [, at] = readLength(b, 1); // SEQUENCE
    for (let i = 0; i < 2; i++) {
      const [len, content] = readLength(b, at + 1); // version, community
      at = content + len;
    }
    const tag = b[at]!;
    const [, pdu] = readLength(b, at + 1);
    const [idLength, idAt] = readLength(b, pdu + 1);
    let requestId = 0;
    for (let i = 0; i < idLength; i++) requestId = requestId * 256 + b[idAt + i]!;
    return { tag, requestId };
  } catch {
    return undefined;
  }
}

function readWire(file: string, destinationPort: number): Wire {
  const seen = new Set<string>();
  const wire: Wire = { notifications: 0, retransmissions: 0, responses: 0 };
  for (const d of readUdpDatagrams(file)) {
    const pdu = pduOf(d.payload);
    if (!pdu) continue;
    if (d.dstPort === destinationPort && (pdu.tag === 0xa6 || pdu.tag === 0xa7)) {
      wire.notifications++;
      const bytes = d.payload.toString("latin1");
      if (seen.has(bytes)) wire.retransmissions++;
      seen.add(bytes);
    } else if (d.srcPort === destinationPort && pdu.tag === 0xa2) wire.responses++;
  }
  return wire;
}

// ── call latency on the wire: caller INVITE in → the daemon's 200 OK out ──────────────────────────────────

function setupLatencies(file: string, sipPort: number): number[] {
  const invites = new Map<string, number>();
  const answered = new Map<string, number>();
  for (const d of readUdpDatagrams(file)) {
    const text = d.payload.toString("latin1");
    const callId = /\r\n(?:Call-ID|i):\s*([^\r\n]+)/i.exec(text)?.[1];
    if (!callId) continue;
    if (d.dstPort === sipPort && text.startsWith("INVITE ")) {
      if (!invites.has(callId)) invites.set(callId, d.timeMs);
    } else if (d.srcPort === sipPort && text.startsWith("SIP/2.0 200") && /\r\nCSeq:\s*\d+ INVITE/i.test(text)) {
      if (!answered.has(callId)) answered.set(callId, d.timeMs);
    }
  }
  const out: number[] = [];
  for (const [callId, at] of invites) {
    const ok = answered.get(callId);
    if (ok !== undefined) out.push(ok - at);
  }
  return out.sort((a, b) => a - b);
}

// ── one phase ───────────────────────────────────────────────────────────────────────────────────────────────

interface Bench {
  args: Args;
  dir: TempDir;
  ports: DaemonPorts;
  daemon: BenchDaemon;
  receiver: Receiver;
  agentPort: number;
  scenario: string;
}

interface PhaseResult {
  name: string;
  load: string;
  calls: number;
  ok: number;
  failed: number;
  latency: number[];
  daemonCpuPercent: number;
  receiverCpuPercent: number;
  flood?: FloodResult;
}

interface FloodResult {
  requests: number;
  pendingMaxSampled: number;
  wire: Wire;
  /** Requests the kernel dropped at the agent's socket (receive buffer full) during the phase. */
  agentSocketDrops: number;
  counters: Counters;
  drainMs: number;
}

async function runPhase(bench: Bench, name: string, o: { calls: boolean; flood: boolean; seconds?: number }): Promise<PhaseResult> {
  const withFlood = o.flood;
  const seconds = o.seconds ?? bench.args.seconds;
  const { args, dir, ports, daemon, receiver } = bench;
  const load = `${loadavg().map((l) => l.toFixed(2)).join(" ")}`;
  const sipCapture = await captureLoopback(dir, `sip-${name}`, `udp port ${ports.sipPort}`);
  const snmpCapture = withFlood ? await captureLoopback(dir, `snmp-${name}`, `udp port ${receiver.port}`) : undefined;
  const statFile = dir.join(`${name}.csv`);
  const total = o.calls ? Math.round(args.callRate * seconds) : 0;
  const cpu0 = daemon.cpuTimes();
  const rcpu0 = cpuTimes(receiver.proc.pid);
  const agentDrops0 = udpSocketDrops(bench.agentPort);
  const t0 = Date.now();
  const sipp = !o.calls ? undefined : startChild({
    name: `callers-${name}`,
    command: "sipp",
    args: [`127.0.0.1:${ports.sipPort}`, "-sf", bench.scenario, "-s", BVD, "-i", "127.0.0.1", "-mi", "127.0.0.1",
      "-p", String(await freeTcpUdpPort()), "-mp", String(await freePortRange(4)), "-r", String(args.callRate), "-m", String(total),
      "-l", String(Math.ceil(args.callRate * 10)), "-nostdin", "-trace_stat", "-stf", statFile, "-fd", "1",
      "-timeout", `${seconds + 60}s`, "-timeout_error", "-max_socket", "60000"],
    dir: dir.path,
    graceMs: 5000,
  });
  let floodRun: Promise<number> | undefined;
  let pendingMax = 0;
  let polling = true;
  let poller: Promise<void> | undefined;
  const reader = agentReader(bench.agentPort);
  if (withFlood) {
    floodRun = flood(bench.agentPort, args.rate, seconds);
    poller = (async () => {
      while (polling) {
        const c = await reader.read().catch(() => undefined);
        if (c) pendingMax = Math.max(pendingMax, c.pending);
        await sleep(200);
      }
    })();
  }
  const exit = sipp ? await sipp.exited : { code: 0 };
  const requests = floodRun ? await floodRun : 0;
  const elapsed = (Date.now() - t0) / 1000;
  const cpu1 = daemon.cpuTimes();
  const rcpu1 = cpuTimes(receiver.proc.pid);
  polling = false;
  await poller;

  let floodResult: FloodResult | undefined;
  if (withFlood) {
    // Wait for the destination to catch up: nothing pending in the daemon and snmptrapd's log no longer growing.
    const d0 = Date.now();
    let lastSize = -1;
    await waitFor(async () => {
      const c = await reader.read();
      const size = statSync(receiver.log).size;
      const settled = c.pending === 0 && size === lastSize;
      lastSize = size;
      return settled;
    }, "the destination to catch up", DRAIN_MS, 1000).catch((e: Error) => process.stderr.write(`${e.message}\n`));
    const drainMs = Date.now() - d0 - 1000;
    const counters = await reader.read();
    await sleep(300);
    const wire = readWire(snmpCapture!.file, receiver.port);
    const dropped = await snmpCapture!.stop();
    if (dropped.dropped > 0) process.stderr.write(`the SNMP capture dropped ${dropped.dropped} packets\n`);
    floodResult = {
      requests,
      pendingMaxSampled: pendingMax,
      wire,
      agentSocketDrops: udpSocketDrops(bench.agentPort) - agentDrops0,
      counters,
      drainMs: Math.max(0, drainMs),
    };
  }
  reader.close();
  await sleep(300);
  const sipDropped = await sipCapture.stop();
  if (sipDropped.dropped > 0) process.stderr.write(`the SIP capture dropped ${sipDropped.dropped} packets; latencies may miss calls\n`);
  const row = lastStats(statFile);
  const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  const rcpu = rcpu1.user + rcpu1.system - rcpu0.user - rcpu0.system;
  if (exit.code !== 0) process.stderr.write(`SIPp callers (${name}) exited ${exit.code}; see ${sipp?.logPath}\n`);
  return {
    name,
    load,
    calls: total,
    ok: Number(row?.["SuccessfulCall(C)"] ?? 0),
    failed: Number(row?.["FailedCall(C)"] ?? 0),
    latency: setupLatencies(sipCapture.file, ports.sipPort),
    daemonCpuPercent: (cpu / 1000 / elapsed) * 100,
    receiverCpuPercent: (rcpu / 1000 / elapsed) * 100,
    ...(floodResult ? { flood: floodResult } : {}),
  };
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────────────────

interface ForwarderTotals {
  sequence: number;
  sent: number;
  failed: number;
  dropped: number;
  pending: number;
  destinations: { sent: number; failed: number; dropped: number; queueHighWater: number }[];
}

/** The daemon's last word on SNMP: the "SNMP forwarder stopped" line it logs when it stops. */
function forwarderTotals(log: string): ForwarderTotals | undefined {
  for (const line of log.split("\n").reverse()) {
    if (!line.includes('"SNMP forwarder stopped"')) continue;
    try {
      return JSON.parse(line) as ForwarderTotals;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = makeTempDir(undefined, `bench-snmp-load-${args.kind}`);
  // Even ports carry RTP; each call holds one pair for ~1.1 s.
  const ports = await daemonPorts(Math.max(400, Math.ceil(args.callRate * 8)));
  const responder = await optionsResponder({ dir });
  const receiver = await startReceiver(dir);
  const agentPort = await freeUdpPort();
  const daemon = await startBenchDaemon({
    dir,
    config: `${baseConfig(ports, responder.port)}bvds:
  - { number: ${BVD}, kind: serviceAccess, script: benchmark-prompt }
snmp:
  damping: { maxPerWindow: 0 }
  destinations:
    - { name: bench, host: 127.0.0.1, port: ${receiver.port}, version: v2c, mode: ${args.kind}, community: public }
  agent: { enabled: true, address: 127.0.0.1, port: ${agentPort}, communities: [{ name: ${MONITOR_COMMUNITY} }] }
logging: { level: info }
`,
    httpPort: ports.httpPort,
    profileDir: args.profileDir,
  });
  const audio = dir.join("caller.pcmu");
  await writeToneFile(audio, 300);
  const bench: Bench = { args, dir, ports, daemon, receiver, agentPort, scenario: renderBenchScenario(dir, "ivr-caller.xml", { AUDIO_FILE: audio }) };
  process.stderr.write(`files in ${dir.path}\n`);
  await sleep(2000);
  const idle0 = daemon.cpuMs();
  await sleep(5000);
  const idlePercent = ((daemon.cpuMs() - idle0) / 5000) * 100;

  const phases: PhaseResult[] = [];
  let totals: ForwarderTotals | undefined;
  try {
    // Warm-up first (JIT, pools, caches), then calls alone before and after the flood to see any drift.
    phases.push(await runPhase(bench, "warm-up (calls)", { calls: true, flood: false, seconds: args.warmup }));
    await sleep(3000);
    phases.push(await runPhase(bench, "calls", { calls: true, flood: false }));
    await sleep(3000);
    phases.push(await runPhase(bench, "calls + SNMP", { calls: true, flood: true }));
    await sleep(3000);
    phases.push(await runPhase(bench, "calls again", { calls: true, flood: false }));
    await sleep(3000);
    // The flood alone: what the notifications cost the daemon, without the calls' CPU drifting underneath.
    phases.push(await runPhase(bench, "SNMP alone", { calls: false, flood: true }));
  } finally {
    await daemon.stop();
    totals = forwarderTotals(daemon.process.readLog());
    await sleep(500); // snmptrapd writes the last lines
    await receiver.proc.stop();
    await responder.stop();
  }

  const head = ["phase", "load avg before", "calls ok / failed", "INVITE → 200 OK ms p50 / p90 / p99 / max (n)", "calls over 10 ms", "daemon CPU", "snmptrapd CPU"];
  const rows = phases.map((p) => [
    p.name,
    p.load,
    `${p.ok} / ${p.failed} (of ${p.calls})`,
    p.calls === 0 ? "–" : `${[50, 90, 99, 100].map((q) => percentile(p.latency, q).toFixed(2)).join(" / ")} (${p.latency.length})`,
    p.calls === 0 ? "–" : `${p.latency.filter((ms) => ms > 10).length}`,
    `${p.daemonCpuPercent.toFixed(1)} %`,
    `${p.receiverCpuPercent.toFixed(1)} %`,
  ]);
  const dest = totals?.destinations[0];
  // Every notification the daemon numbered (1…sequence: service started, the floods, service stopped) must arrive.
  const received = readReceived(receiver.log);
  const numbered = totals?.sequence ?? Number.NaN;
  const lost = numbered - received.sequences.size;
  const authNumbered = numbered - (received.sequences.size - received.authSequences.size);
  const callsAlone = phases.filter((p) => p.name === "calls" || p.name === "calls again").map((p) => p.daemonCpuPercent);
  const callsBaseline = callsAlone.reduce((a, b) => a + b, 0) / callsAlone.length;
  const floodRows = phases
    .filter((p) => p.flood)
    .map((p) => {
      const f = p.flood!;
      const base = p.calls > 0 ? callsBaseline : idlePercent;
      return [
        p.name,
        `${f.requests} (${f.agentSocketDrops})`,
        `${f.wire.notifications} (${f.wire.retransmissions})`,
        args.kind === "inform" ? `${f.wire.responses}` : "– (traps)",
        `${f.pendingMaxSampled}`,
        `${(f.drainMs / 1000).toFixed(1)} s`,
        `${(p.daemonCpuPercent - base).toFixed(1)} % (${(((p.daemonCpuPercent - base) * 10) / args.rate).toFixed(3)} ms)`,
      ];
    });
  const lines = [
    `SNMP load: v2c ${args.kind}, ${args.rate}/s for ${args.seconds} s, calls at ${args.callRate}/s to BVD ${BVD}; idle daemon ${idlePercent.toFixed(1)} % of a core; ${machine()}`,
    "",
    markdownTable(head, rows),
    "",
    markdownTable(
      ["flood phase", "rejected requests sent (dropped at the agent's socket)", "notifications on the wire (retransmissions)", "acknowledged (responses on the wire)", "pending max (sampled)", "drain after the flood", "daemon CPU for SNMP (per notification)"],
      floodRows,
    ),
    "",
    `whole run: ${numbered} notifications numbered by the daemon (${authNumbered} authentication failures), ` +
      `${received.sequences.size} distinct received by snmptrapd in ${received.lines} lines, lost ${lost}; ` +
      `daemon sent ${dest?.sent ?? "?"} / dropped ${dest?.dropped ?? "?"} / failed ${dest?.failed ?? "?"}, queue high-water ${dest?.queueHighWater ?? "?"}`,
  ];
  console.log(lines.join("\n"));
  if (!args.keep) rmSync(dir.path, { recursive: true, force: true });
  const clean = phases.every((p) => p.failed === 0 && p.ok === p.calls) && (args.kind === "trap" || lost === 0);
  if (!clean) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
