// Benchmark: the ACD through Kamailio. SIPp callers dial the service BVD 3000 (service access → group Sales, every
// agent serves it); the bridge answers, queues them with music, and offers each to the longest-idle agent. ONE
// SIPp UAS plays every agent: a REGISTER run (-inf CSV) binds extensions 1001… to it at Kamailio, each agent is
// logged on over the Open Interface at its extension, and the UAS rings RING ms, answers, talks TALK ms (G.711
// both ways, rtp_stream) and hangs up. The daemon runs as its own process (`ctibridge start`, log level warn); its
// CPU is utime+stime from /proc/PID/stat. SIP on the daemon's port is captured (dumpcap on lo) to time what it did:
//
//   --part a   callers at each --rates for --duration s with --agents (20): failed/lost calls, routing latency
//              (caller INVITE in → agent INVITE out) for callers who found an idle agent, how fast an agent who
//              hangs up gets the oldest waiting call, queue length and wait, CPU ms per call. A rate is "held" when
//              every call connected and the queue did not grow (the last caller found at most one caller waiting).
//   --part b   --calls 100,200,400 bridged at once (the agents talk long; callers arrive at --ramp-rate/s): daemon
//              CPU over a --window s with every call up, then packet loss over a --loss-window s capture of the
//              media ports (sequence gaps in every stream the daemon sends, see rtp-stream-loss.ts).
//   --part c   as a, with 300 agents at 20 and 40 calls/s.
//
//   node dist/scripts/bench-acd.js --part a [--agents 20] [--rates 3,3.3,3.5] [--duration 60]
//   node dist/scripts/bench-acd.js --part b [--calls 100,200,400] [--window 20] [--loss-window 10] [--ramp-rate 40]
//   node dist/scripts/bench-acd.js --part c [--agents 300] [--rates 20,40] [--duration 60]
//   common: [--ring 1000] [--talk 5000] [--no-media] [--profile DIR] [--trace-gc] [--daemon-flags "--max-semi-space-size=32"]
//           [--keep]   (--trace-gc: the daemon's GC pauses during each run, from its log; --keep: captures and logs stay)
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { startChild, type ChildProcessHandle } from "../test/harness/child.js";
import { freePortRange, freeTcpUdpPort, isListening } from "../test/harness/free-port.js";
import type { KamailioInstance } from "../test/harness/kamailio.js";
import { makeTempDir, type TempDir } from "../test/harness/temp-dir.js";
import { openStore } from "../cti/store/open-store.js";
import { silentLogger } from "../cti/log.js";
import {
  baseConfig,
  captureLoopback,
  daemonPorts,
  flag,
  lastStats,
  machine,
  markdownTable,
  numberList,
  percentile,
  renderBenchScenario,
  sleep,
  startBenchDaemon,
  startLoadKamailio,
  waitFor,
  writeToneFile,
  type BenchDaemon,
  type DaemonPorts,
} from "./bench/bench-support.js";
import { readSipTimeline, routingReport, spread } from "./bench/acd-sip-timeline.js";
import { rtpLoss } from "./bench/rtp-stream-loss.js";

const SERVICE = "3000";
const FIRST_EXTENSION = 1001;
const PIN = "1234";
/** How long the idle daemon's CPU is sampled before the calls start. */
const IDLE_SAMPLE_MS = 10_000;
/** Offers later than this after the caller's INVITE are listed (when the queue did not grow). */
const SLOW_MS = 50;

interface Args {
  part: "a" | "b" | "c";
  agents: number;
  rates: number[];
  duration: number;
  calls: number[];
  window: number;
  lossWindow: number;
  rampRate: number;
  ringMs: number;
  talkMs: number;
  media: boolean;
  profileDir: string | undefined;
  traceGc: boolean;
  daemonFlags: string[];
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => flag(argv, name);
  const part = (get("part") ?? "a") as Args["part"];
  if (!["a", "b", "c"].includes(part)) throw new Error("--part is a, b or c");
  const defaults = part === "c" ? { agents: 300, rates: "20,40" } : { agents: 20, rates: "3,3.3,3.5" };
  const calls = numberList(get("calls") ?? "100,200,400", "--calls");
  const args: Args = {
    part,
    agents: part === "b" ? Math.max(...calls) : Number(get("agents") ?? defaults.agents),
    rates: numberList(get("rates") ?? defaults.rates, "--rates"),
    duration: Number(get("duration") ?? 60),
    calls,
    window: Number(get("window") ?? 20),
    lossWindow: Number(get("loss-window") ?? 10),
    rampRate: Number(get("ramp-rate") ?? 40),
    ringMs: Number(get("ring") ?? 1000),
    talkMs: Number(get("talk") ?? 5000),
    media: !argv.includes("--no-media"),
    profileDir: get("profile"),
    traceGc: argv.includes("--trace-gc"),
    daemonFlags: (get("daemon-flags") ?? "").split(" ").filter(Boolean),
    keep: argv.includes("--keep"),
  };
  for (const [k, v] of Object.entries(args)) if (typeof v === "number" && !(v >= 0)) throw new Error(`${k}: expected a number ≥ 0`);
  if (args.agents < 1 || args.agents > 3000) throw new Error("--agents must be 1..3000");
  return args;
}

/** The agent side: one SIPp UAS for every extension, registered at Kamailio, each agent logged on and ready. */
interface Agents {
  uas: ChildProcessHandle;
  count: number;
}

interface Bench {
  dir: TempDir;
  ports: DaemonPorts;
  kamailio: KamailioInstance;
  daemon: BenchDaemon;
  agents: Agents;
  callerAudio: string;
  /** The daemon's CPU with every agent logged on and no call (% of one core). */
  idlePercent: number;
}

function daemonConfig(ports: DaemonPorts, kamailioPort: number, ringTimeMs: number): string {
  return `${baseConfig(ports, kamailioPort)}system: { restorePhoneAgents: false, stateAfterLogon: ready }
bvds:
  - { number: ${SERVICE}, kind: serviceAccess, serviceAccess: sales-line }
serviceAccesses:
  - { id: sales-line, name: Sales line, serviceGroup: Sales }
serviceGroups:
  - { id: Sales, name: Sales, agents: "*", ringTime: ${Math.ceil(ringTimeMs / 1000)}s, music: music-on-hold }
logging: { level: warn }
`;
}

async function addUsers(dataDir: string, count: number): Promise<void> {
  const store = await openStore({ kind: "sqlite", file: `${dataDir}/ctibridge.sqlite` }, silentLogger());
  try {
    // scrypt per PIN: a few at a time keeps the thread pool busy without queueing hundreds of hashes.
    for (let i = 0; i < count; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, count - i) }, (_, k) =>
          store.users.add({ tenantId: -1, logonId: String(FIRST_EXTENSION + i + k), pin: PIN, firstName: "Bench", lastName: `Agent${i + k}` }),
        ),
      );
    }
  } finally {
    await store.close();
  }
}

async function startAgents(dir: TempDir, kamailio: KamailioInstance, daemon: BenchDaemon, o: { count: number; ringMs: number; talkMs: number; media: boolean }): Promise<Agents> {
  const audio = dir.join("agent.pcmu");
  await writeToneFile(audio, 440);
  const uasScenario = renderBenchScenario(dir, "acd-agent-uas.xml", { AUDIO_FILE: audio, RING_MS: o.ringMs, TALK_MS: o.talkMs });
  if (!o.media) stripMedia(uasScenario);
  const uasPort = await freeTcpUdpPort();
  const uasMedia = await freePortRange(4);
  const uas = startChild({
    name: "agents-uas",
    command: "sipp",
    args: ["-sf", uasScenario, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", String(uasPort), "-mp", String(uasMedia), "-nostdin",
      "-trace_err", "-error_file", dir.join("agents-uas.err"), "-max_socket", "60000", "-trace_stat", "-stf", dir.join("agents-uas.csv"), "-fd", "5"],
    dir: dir.path,
  });
  await uas.waitUntil(() => isListening(uasPort, "udp"), "the agents' UAS listening", 5000, 10);

  const csv = dir.join("agents.csv");
  const lines = ["SEQUENTIAL"];
  for (let i = 0; i < o.count; i++) lines.push(`${FIRST_EXTENSION + i};127.0.0.1:${uasPort};`);
  writeFileSync(csv, `${lines.join("\n")}\n`);
  const register = startChild({
    name: "agents-register",
    command: "sipp",
    args: [`127.0.0.1:${kamailio.port}`, "-sf", renderBenchScenario(dir, "acd-agent-register.xml", {}), "-inf", csv, "-i", "127.0.0.1",
      "-p", String(await freeTcpUdpPort()), "-m", String(o.count), "-r", "200", "-l", "50", "-nostdin", "-timeout", "60s", "-timeout_error",
      "-trace_err", "-error_file", dir.join("agents-register.err")],
    dir: dir.path,
  });
  const registered = await register.exited;
  if (registered.code !== 0) throw new Error(`registering ${o.count} agents failed (${JSON.stringify(registered)}); see ${register.logPath}`);
  for (const ext of [FIRST_EXTENSION, FIRST_EXTENSION + o.count - 1]) await kamailio.waitForRegistration(String(ext));

  for (let i = 0; i < o.count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, o.count - i) }, async (_, k) => {
        const id = String(FIRST_EXTENSION + i + k);
        const response = await daemon.postJson(`/agents/${id}/logon`, { extension: id });
        if (response.status !== 200) throw new Error(`logon ${id}: ${response.status} ${await response.text()}`);
      }),
    );
  }
  await waitForIdleAgents(daemon, o.count, 5000);
  return { uas, count: o.count };
}

/** Removes the rtp_stream actions from a rendered scenario (--no-media: SIP only). */
function stripMedia(path: string): void {
  writeFileSync(path, readFileSync(path, "utf8").replace(/^\s*<nop><action><exec rtp_stream=[^\n]*\n/gm, ""));
}

interface AgentView {
  logonId: string;
  state: string;
}

async function waitForIdleAgents(daemon: BenchDaemon, count: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const agents = await daemon.getJson<AgentView[]>("/agents");
    const calls = await daemon.getJson<unknown[]>("/calls");
    return agents.filter((a) => a.state === "idleReady").length === count && calls.length === 0;
  }, `${count} agents idle and ready with no call`, timeoutMs, 250);
}

async function setUp(args: Args, mediaPorts: number, talkMs: number): Promise<Bench> {
  const dir = makeTempDir(undefined, `bench-acd-${args.part}`);
  const ports = await daemonPorts(mediaPorts);
  const kamailio = await startLoadKamailio(dir, ports.sipPort);
  const dataDir = dir.join("data");
  process.stderr.write(`setting up: ${args.agents} agents in ${dir.path}\n`);
  await addUsers(dataDir, args.agents);
  const daemon = await startBenchDaemon({
    dir,
    config: daemonConfig(ports, kamailio.port, args.ringMs + 9000),
    httpPort: ports.httpPort,
    dataDir,
    profileDir: args.profileDir,
    nodeFlags: [...args.daemonFlags, ...(args.traceGc ? ["--trace-gc"] : [])],
  });
  const agents = await startAgents(dir, kamailio, daemon, { count: args.agents, ringMs: args.ringMs, talkMs, media: args.media });
  const callerAudio = dir.join("caller.pcmu");
  await writeToneFile(callerAudio, 300);
  await sleep(2000);
  const cpu0 = daemon.cpuMs();
  await sleep(IDLE_SAMPLE_MS);
  const idlePercent = ((daemon.cpuMs() - cpu0) / IDLE_SAMPLE_MS) * 100;
  return { dir, ports, kamailio, daemon, agents, callerAudio, idlePercent };
}

async function tearDown(bench: Bench, keep: boolean): Promise<void> {
  await bench.agents.uas.stop();
  await bench.daemon.stop();
  await bench.kamailio.stop();
  if (keep) process.stderr.write(`files kept in ${bench.dir.path}\n`);
  else rmSync(bench.dir.path, { recursive: true, force: true });
}

interface CallerRun {
  ok: number;
  failed: number;
  retransmissions: string;
  exit: number | null;
  logPath: string;
}

/** SIPp callers at `rate`/s, `total` calls, each waiting at most waitMs for the bridge's BYE; resolves when SIPp exits. */
async function runCallers(bench: Bench, o: { name: string; rate: number; total: number; waitMs: number; media: boolean }): Promise<CallerRun> {
  const scenario = renderBenchScenario(bench.dir, "acd-caller.xml", { AUDIO_FILE: bench.callerAudio, WAIT_MS: o.waitMs }, `${o.name}.xml`);
  if (!o.media) stripMedia(scenario);
  const statFile = bench.dir.join(`${o.name}.csv`);
  const proc = startChild({
    name: o.name,
    command: "sipp",
    args: [`127.0.0.1:${bench.kamailio.port}`, "-sf", scenario, "-s", SERVICE, "-i", "127.0.0.1", "-mi", "127.0.0.1",
      "-p", String(await freeTcpUdpPort()), "-mp", String(await freePortRange(4)), "-r", String(o.rate), "-m", String(o.total),
      "-l", String(o.total + 10), "-nostdin", "-trace_stat", "-stf", statFile, "-fd", "1", "-trace_err", "-error_file", bench.dir.join(`${o.name}.err`),
      "-timeout", `${Math.ceil(o.total / o.rate + o.waitMs / 1000 + 30)}s`, "-timeout_error", "-max_socket", "60000"],
    dir: bench.dir.path,
    graceMs: 5000,
  });
  const exit = await proc.exited;
  const row = lastStats(statFile);
  return {
    ok: Number(row?.["SuccessfulCall(C)"] ?? 0),
    failed: Number(row?.["FailedCall(C)"] ?? 0),
    retransmissions: row?.["Retransmissions(C)"] ?? "?",
    exit: exit.code,
    logPath: proc.logPath,
  };
}

interface Health {
  sip?: { retransmissions: number };
}

// ── parts a and c: callers through the queue at a rate ───────────────────────────────────────────────────────

async function queueRuns(args: Args): Promise<string> {
  const cycleMs = args.ringMs + args.talkMs;
  const bench = await setUp(args, 2400, args.talkMs);
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    for (const rate of args.rates) {
      const total = Math.round(rate * args.duration);
      const name = `rate-${rate}`;
      const capture = await captureLoopback(bench.dir, `sip-${rate}`, `udp port ${bench.ports.sipPort}`);
      const before = await bench.daemon.getJson<Health>("/health");
      const logOffset = bench.daemon.process.readLog().length;
      const cpu0 = bench.daemon.cpuTimes();
      const t0 = Date.now();
      const waitMs = args.duration * 1000 + 120_000;
      const result = await runCallers(bench, { name, rate, total, waitMs, media: args.media });
      const elapsed = (Date.now() - t0) / 1000;
      const cpu1 = bench.daemon.cpuTimes();
      const cpuUser = cpu1.user - cpu0.user;
      const cpuSystem = cpu1.system - cpu0.system;
      const cpu = cpuUser + cpuSystem;
      const after = await bench.daemon.getJson<Health>("/health");
      await sleep(500);
      const dropped = await capture.stop();
      const timeline = readSipTimeline(capture.file, bench.ports.sipPort, SERVICE);
      const report = routingReport(timeline, bench.agents.count);
      const arrivals = [...timeline.callers.values()].map((c) => c.arrivedMs);
      const offered = arrivals.length > 1 ? ((arrivals.length - 1) * 1000) / (Math.max(...arrivals) - Math.min(...arrivals)) : Number.NaN;
      const maxWait = percentile(report.waitMs, 100);
      // Held: every call connected and the queue did not grow (the last caller found at most one caller waiting).
      const held = result.failed === 0 && result.ok === total && report.notOffered === 0 && report.waitingAtLastArrival <= 1;
      rows.push([
        `${rate}/s (${offered.toFixed(2)})`,
        `${total}`,
        `${result.ok} / ${result.failed} / ${report.notOffered}`,
        held ? "**yes**" : "no",
        `${spread(report.routingMs)} (${report.routingMs.length})`,
        `${spread(report.readyToOfferMs)} (${report.readyToOfferMs.length})`,
        `${report.notOldest}`,
        `${report.maxWaiting} / ${report.waitingAtLastArrival}`,
        `${(percentile(report.waitMs, 99) / 1000).toFixed(2)} / ${(maxWait / 1000).toFixed(2)} s`,
        `${(cpu / Math.max(result.ok, 1)).toFixed(2)} ms (${(cpuUser / Math.max(result.ok, 1)).toFixed(1)} + ${(cpuSystem / Math.max(result.ok, 1)).toFixed(1)})`,
        `${((cpu / 1000 / elapsed) * 100).toFixed(0)} %`,
        `${result.retransmissions} / ${(after.sip?.retransmissions ?? 0) - (before.sip?.retransmissions ?? 0)}`,
      ]);
      if (dropped.dropped > 0) notes.push(`rate ${rate}/s: the SIP capture dropped ${dropped.dropped} of ${dropped.received} packets; latencies may miss calls`);
      const first = Math.min(...arrivals);
      const slow = [...timeline.callers.values()].filter((c) => c.offer && c.offer.atMs - c.arrivedMs > SLOW_MS && report.waitingAtLastArrival <= 1);
      if (slow.length > 0) {
        const when = slow.slice(0, 8).map((c) => `${((c.arrivedMs - first) / 1000).toFixed(1)} s: ${(c.offer!.atMs - c.arrivedMs).toFixed(0)} ms`);
        notes.push(`rate ${rate}/s: ${slow.length} callers waited over ${SLOW_MS} ms for their offer (time after the first arrival: wait) ${when.join(", ")}`);
      }
      if (args.traceGc) notes.push(`rate ${rate}/s: ${gcPauses(bench.daemon.process.readLog().slice(logOffset))}`);
      if (timeline.reoffers > 0) notes.push(`rate ${rate}/s: ${timeline.reoffers} calls were offered again (an agent did not take one)`);
      if (result.exit !== 0) notes.push(`rate ${rate}/s: SIPp callers exited ${result.exit} (log ${result.logPath})`);
      console.log(markdownTable(QUEUE_HEAD, [rows[rows.length - 1]!]));
      await waitForIdleAgents(bench.daemon, bench.agents.count, 30_000);
      await sleep(2000);
    }
  } finally {
    await tearDown(bench, args.keep);
  }
  return [
    `Part ${args.part}: ${args.agents} agents (ring ${args.ringMs} ms, talk ${args.talkMs} ms, capacity ${((args.agents * 1000) / cycleMs).toFixed(2)} calls/s), ` +
      `${args.duration} s per rate, ${args.media ? "G.711 both ways" : "no RTP"}; idle daemon (agents logged on, no call): ${bench.idlePercent.toFixed(1)} % of a core`,
    "",
    markdownTable(QUEUE_HEAD, rows),
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

const QUEUE_HEAD = [
  "rate (measured)",
  "calls",
  "ok / failed / not offered",
  "held",
  "routing ms p50/p95/p99/max (n)",
  "agent free → next call ms p50/p95/p99/max (n)",
  "not oldest",
  "queue max / at end",
  "wait p99 / max",
  "daemon CPU per call (user + kernel)",
  "daemon CPU",
  "retrans. SIPp / bridge",
];

/** Sums up `node --trace-gc` lines: scavenges and mark-compacts with their pause times. */
function gcPauses(log: string): string {
  const pauses = { Scavenge: [] as number[], "Mark-Compact": [] as number[] };
  for (const m of log.matchAll(/ (Scavenge|Mark-Compact) [^,]*, ([\d.]+) \/ [\d.]+ ms/g)) pauses[m[1] as keyof typeof pauses].push(Number(m[2]));
  const describe = (name: string, list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    const sum = list.reduce((a, b) => a + b, 0);
    return `${list.length} ${name} (pause p50 ${percentile(sorted, 50).toFixed(1)}, p99 ${percentile(sorted, 99).toFixed(1)}, max ${percentile(sorted, 100).toFixed(1)} ms, total ${sum.toFixed(0)} ms)`;
  };
  return `GC: ${describe("scavenges", pauses.Scavenge)}, ${describe("mark-compacts", pauses["Mark-Compact"])}`;
}

// ── part b: bridged calls held up at once ────────────────────────────────────────────────────────────────────

async function bridgedRuns(args: Args): Promise<string> {
  const maxCalls = Math.max(...args.calls);
  const rampS = Math.ceil(maxCalls / args.rampRate);
  // The agents talk long enough that every call of the biggest run is up through both windows.
  const talkMs = (rampS + 2 + args.window + args.lossWindow + 10) * 1000;
  const bench = await setUp({ ...args, agents: maxCalls }, Math.min(4000, 4 * maxCalls + 400), talkMs);
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    for (const n of args.calls) {
      const name = `bridged-${n}`;
      const sipCapture = await captureLoopback(bench.dir, `sip-${n}`, `udp port ${bench.ports.sipPort}`);
      const callers = runCallers(bench, { name, rate: Math.min(args.rampRate, n), total: n, waitMs: talkMs + 60_000, media: true });
      const talking = async () => (await bench.daemon.getJson<{ state: string }[]>("/calls")).filter((c) => c.state === "talking").length;
      await waitFor(async () => (await talking()) >= n, `${n} calls talking`, (n / args.rampRate + 20) * 1000, 250);
      await sleep(2000);
      const upAtStart = await talking();
      const cpu0 = bench.daemon.cpuTimes();
      const t0 = performance.now();
      await sleep(args.window * 1000);
      const cpu1 = bench.daemon.cpuTimes();
      const cpuSystem = cpu1.system - cpu0.system;
      const cpu = cpu1.user - cpu0.user + cpuSystem;
      const seconds = (performance.now() - t0) / 1000;
      const upAtEnd = await talking();
      const rtpCapture = await captureLoopback(bench.dir, `rtp-${n}`, `udp portrange ${bench.ports.mediaMin}-${bench.ports.mediaMax}`, 96);
      await sleep(args.lossWindow * 1000);
      const rtpDropped = await rtpCapture.stop();
      const upAfterLoss = await talking();
      const result = await callers;
      await sleep(500);
      await sipCapture.stop();

      const timeline = readSipTimeline(sipCapture.file, bench.ports.sipPort, SERVICE);
      const roles = new Map<number, "caller" | "agent">();
      for (const c of timeline.callers.values()) if (c.bridgePort !== undefined) roles.set(c.bridgePort, "caller");
      for (const o of timeline.offers) if (o.bridgePort !== undefined) roles.set(o.bridgePort, "agent");
      const loss = rtpLoss(rtpCapture.file, bench.ports.mediaMin, bench.ports.mediaMax, (port) => roles.get(port));
      const lossText = (c: { lost: number; expected: number; streams: number }) => `${c.lost} of ${c.expected} (${c.streams} streams)`;
      rows.push([
        `${n}`,
        `${upAtStart} / ${upAtEnd} / ${upAfterLoss}`,
        `${((cpu / 1000 / seconds) * 100).toFixed(1)} % (kernel ${((cpuSystem / 1000 / seconds) * 100).toFixed(1)} %)`,
        `${(cpu / seconds / n).toFixed(3)} ms`,
        `${Math.round((loss.packetsIn * 1000) / loss.spanMs)} / ${Math.round((loss.packetsOut * 1000) / loss.spanMs)}`,
        lossText(loss.toCallers),
        lossText(loss.toAgents),
        `${loss.fromPhones.lost}`,
        `${rtpDropped.dropped}`,
        `${result.ok} / ${result.failed}`,
      ]);
      if (loss.unknownPorts > 0) notes.push(`${n} calls: ${loss.unknownPorts} daemon streams on ports the SIP capture did not place`);
      if (result.exit !== 0) notes.push(`${n} calls: SIPp callers exited ${result.exit} (log ${result.logPath})`);
      console.log(markdownTable(BRIDGED_HEAD, [rows[rows.length - 1]!]));
      await waitForIdleAgents(bench.daemon, bench.agents.count, 60_000);
      if (!args.keep) rmSync(rtpCapture.file, { force: true }); // hundreds of MB at 400 calls
      await sleep(2000);
    }
  } finally {
    await tearDown(bench, args.keep);
  }
  return [
    `Part b: bridged calls held up at once (G.711 20 ms both ways, agents talk ${talkMs / 1000} s); CPU over ${args.window} s with every call up, ` +
      `loss over a ${args.lossWindow} s capture that follows it; idle daemon: ${bench.idlePercent.toFixed(1)} % of a core`,
    "",
    markdownTable(BRIDGED_HEAD, rows),
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

const BRIDGED_HEAD = [
  "bridged calls",
  "talking at start / end of CPU window / after loss window",
  "daemon CPU (one core)",
  "CPU per call per second",
  "RTP packets/s into / out of daemon",
  "lost towards callers",
  "lost towards agents",
  "gaps in phones' own streams",
  "capture drops",
  "calls ok / failed",
];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const text = args.part === "b" ? await bridgedRuns(args) : await queueRuns(args);
  console.log(`\n${text}\n\nmachine: ${machine()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
