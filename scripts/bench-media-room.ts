// Benchmark: media rooms relaying calls. N rooms, each two endpoints of one MediaServer joined as active
// participants; a separate child process plays the 2N phones with plain UDP sockets, each sending 20 ms G.711
// packets (spread over the 20 ms like independent phones) and counting what comes back. This process runs
// nothing but the bridge's media, so its CPU time (process.cpuUsage over the measuring window, after a warm-up)
// is the cost of relaying. Loss is counted per leg: packets phone B received against packets phone A sent.
// Latency is phone A's send to phone B's receive (both timed in the child; includes the child's own delays).
//
//   node dist/scripts/bench-media-room.js --rooms 100,200,400 --seconds 20 [--warmup 3] [--transcode]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/scripts/bench-media-room.js --rooms 200   (profiles this process)
//
// --transcode makes every A leg PCMU and every B leg PCMA, so every packet is converted.
import { fork, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { silentLogger } from "../cti/log.js";
import type { MediaEndpoint } from "../ivr/media/media-endpoint.js";
import { MediaRoom } from "../ivr/media/media-room.js";
import { MediaServer } from "../ivr/media/media-server.js";
import type { G711Codec } from "../ivr/media/sdp-offer-answer.js";
import { freePortRange } from "../test/harness/free-port.js";

const HOST = "127.0.0.1";
const PACKET_MS = 20;
/** The child sends every 2 ms to a tenth of the phones, so packets arrive spread out, not in one burst per 20 ms. */
const SEND_GROUPS = 10;

interface Args {
  rooms: number[];
  seconds: number;
  warmup: number;
  transcode: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rooms = (get("rooms") ?? "100,200,400").split(",").map(Number);
  if (rooms.some((n) => !(Number.isInteger(n) && n > 0 && n <= 1000))) throw new Error("--rooms: whole numbers from 1 to 1000");
  const seconds = Number(get("seconds") ?? 20);
  const warmup = Number(get("warmup") ?? 3);
  if (!(seconds > 0) || !(warmup >= 0)) throw new Error("--seconds must be > 0, --warmup >= 0");
  return { rooms, seconds, warmup, transcode: argv.includes("--transcode") };
}

// ── messages between this process and the phones ────────────────────────────────────────────────────────────
type ToPhones =
  | { type: "bind"; bridgePorts: number[]; codecs: G711Codec[] }
  | { type: "go" }
  | { type: "window" }
  | { type: "stop" };
type FromPhones =
  | { type: "bound"; phonePorts: number[] }
  | { type: "result"; sent: number[]; received: number[]; latenciesMs: number[]; cpuPercent: number };

function sdp(port: number, codec: G711Codec): string {
  const pt = codec === "PCMU" ? 0 : 8;
  return [
    "v=0",
    `o=phone 1 1 IN IP4 ${HOST}`,
    "s=-",
    `c=IN IP4 ${HOST}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP ${pt} 101`,
    `a=rtpmap:${pt} ${codec}/8000`,
    "a=rtpmap:101 telephone-event/8000",
    "a=ptime:20",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

function nextMessage<T extends FromPhones["type"]>(child: ChildProcess, type: T): Promise<Extract<FromPhones, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromPhones): void => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as Extract<FromPhones, { type: T }>);
    };
    const onExit = (code: number | null): void => reject(new Error(`the phone process exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  rooms: number;
  legs: number;
  mode: string;
  packetsPerSecond: number;
  cpuPercent: number;
  cpuMicrosPerPacket: number;
  eventLoopUtilization: number;
  worstLegLossPercent: number;
  totalLossPercent: number;
  latencyP50: number;
  latencyP99: number;
  phonesCpuPercent: number;
}

async function measure(rooms: number, args: Args): Promise<Row> {
  const legs = rooms * 2;
  const portMin = await freePortRange(legs * 2);
  const server = new MediaServer({ address: HOST, portMin, portMax: portMin + legs * 2 - 1, logger: silentLogger() });
  const endpoints: MediaEndpoint[] = [];
  for (let i = 0; i < legs; i++) endpoints.push(await server.open());
  const codecs: G711Codec[] = endpoints.map((_, i) => (args.transcode && i % 2 === 1 ? "PCMA" : "PCMU"));

  const phones = fork(fileURLToPath(import.meta.url), ["--phones"], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const send = (m: ToPhones): void => void phones.send(m);
  try {
    send({ type: "bind", bridgePorts: endpoints.map((e) => e.localPort), codecs });
    const { phonePorts } = await nextMessage(phones, "bound");
    const mediaRooms: MediaRoom[] = [];
    for (let r = 0; r < rooms; r++) {
      const room = new MediaRoom(silentLogger());
      for (const i of [2 * r, 2 * r + 1]) {
        endpoints[i]!.answer(sdp(phonePorts[i]!, codecs[i]!));
        room.join(endpoints[i]!, { role: "active" });
      }
      mediaRooms.push(room);
    }

    send({ type: "go" });
    await sleep(args.warmup * 1000);
    send({ type: "window" });
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const received0 = endpoints.reduce((n, e) => n + e.stats.packetsReceived, 0);
    await sleep(args.seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const wallMs = performance.now() - t0;
    const received = endpoints.reduce((n, e) => n + e.stats.packetsReceived, 0) - received0;
    send({ type: "stop" });
    const result = await nextMessage(phones, "result");

    let worst = 0;
    let sentTotal = 0;
    let lostTotal = 0;
    for (let i = 0; i < legs; i++) {
      const sent = result.sent[i]!;
      const got = result.received[i ^ 1]!; // leg i's packets come out at its room partner's phone
      const lost = Math.max(0, sent - got);
      sentTotal += sent;
      lostTotal += lost;
      worst = Math.max(worst, sent > 0 ? lost / sent : 0);
    }
    const latencies = result.latenciesMs.sort((a, b) => a - b);
    const cpuMicros = cpu.user + cpu.system;
    for (const room of mediaRooms) room.close();
    return {
      rooms,
      legs,
      mode: args.transcode ? "PCMU↔PCMA" : "relay",
      packetsPerSecond: Math.round(received / (wallMs / 1000)),
      cpuPercent: (cpuMicros / 1000 / wallMs) * 100,
      cpuMicrosPerPacket: cpuMicros / Math.max(1, received),
      eventLoopUtilization: elu.utilization,
      worstLegLossPercent: worst * 100,
      totalLossPercent: sentTotal > 0 ? (lostTotal / sentTotal) * 100 : 0,
      latencyP50: percentile(latencies, 50),
      latencyP99: percentile(latencies, 99),
      phonesCpuPercent: result.cpuPercent,
    };
  } finally {
    phones.kill();
    server.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  for (const rooms of args.rooms) {
    const row = await measure(rooms, args);
    rows.push(row);
    console.error(`${rooms} rooms: ${row.cpuPercent.toFixed(1)} % CPU, worst leg loss ${row.worstLegLossPercent.toFixed(3)} %`);
    await sleep(500);
  }
  console.log(`\nMedia rooms, ${args.seconds} s measured after ${args.warmup} s warm-up, Node ${process.version}, ${args.transcode ? "every packet transcoded" : "same codec (relay)"}\n`);
  console.log("| rooms | legs | mode | packets in/s | media CPU (% of one core) | CPU µs per packet in | event loop busy | loss, worst leg | loss, all legs | latency p50 / p99 (ms) | phones' CPU |");
  console.log("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.rooms} | ${r.legs} | ${r.mode} | ${r.packetsPerSecond} | ${r.cpuPercent.toFixed(1)} % | ${r.cpuMicrosPerPacket.toFixed(1)} | ` +
        `${(r.eventLoopUtilization * 100).toFixed(0)} % | ${r.worstLegLossPercent.toFixed(2)} % | ${r.totalLossPercent.toFixed(3)} % | ` +
        `${r.latencyP50.toFixed(2)} / ${r.latencyP99.toFixed(2)} | ${r.phonesCpuPercent.toFixed(0)} % |`,
    );
  }
}

// ── the phones (child process) ──────────────────────────────────────────────────────────────────────────────
async function phones(): Promise<void> {
  let sockets: Socket[] = [];
  let bridgePorts: number[] = [];
  let packets: Buffer[] = [];
  const sent: number[] = [];
  const received: number[] = [];
  const latencies: number[] = [];
  /** Send time of each leg's packets by sequence number (mod 1024), and the sequence offset seen at the far end. */
  const sentAt: Float64Array[] = [];
  const sequenceOffset: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let windowCpu: NodeJS.CpuUsage | undefined;
  let windowStart = 0;
  let recording = false;

  const reply = (m: FromPhones): void => void process.send!(m);

  process.on("message", async (m: ToPhones) => {
    if (m.type === "bind") {
      bridgePorts = m.bridgePorts;
      sockets = await Promise.all(
        bridgePorts.map(
          (_, leg) =>
            new Promise<Socket>((resolve) => {
              const socket = createSocket("udp4");
              socket.on("message", (msg) => {
                received[leg]!++;
                if (!recording || msg.length < 12) return;
                const sequence = msg.readUInt16BE(2);
                if (sequenceOffset[leg] === -1) sequenceOffset[leg] = sequence; // the partner's sequence 0
                if (windowCpu === undefined) return;
                const at = sentAt[leg ^ 1]![((sequence - sequenceOffset[leg]!) & 0xffff) % 1024]!;
                if (at > 0) latencies.push(performance.now() - at);
              });
              socket.bind(0, HOST, () => {
                socket.setRecvBufferSize(1 << 20);
                resolve(socket);
              });
            }),
        ),
      );
      packets = bridgePorts.map((_, leg) => {
        const b = Buffer.alloc(12 + 160, m.codecs[leg] === "PCMU" ? 0xff : 0xd5);
        b[0] = 0x80;
        b[1] = m.codecs[leg] === "PCMU" ? 0 : 8;
        b.writeUInt32BE(0x1000 + leg, 8);
        return b;
      });
      for (let leg = 0; leg < bridgePorts.length; leg++) {
        sent[leg] = 0;
        received[leg] = 0;
        sentAt[leg] = new Float64Array(1024);
        sequenceOffset[leg] = -1;
      }
      reply({ type: "bound", phonePorts: sockets.map((s) => s.address().port) });
    } else if (m.type === "go") {
      // Every phone's sequence numbers start at 0 and its relayed stream's first packet is its first: the far end's
      // sequence minus its first one is the sender's sequence (the bridge keeps the spacing).
      const origin = performance.now();
      let tick = 0;
      const step = PACKET_MS / SEND_GROUPS;
      const run = (): void => {
        const group = tick % SEND_GROUPS;
        const frame = Math.floor(tick / SEND_GROUPS);
        for (let leg = group; leg < sockets.length; leg += SEND_GROUPS) {
          const packet = packets[leg]!;
          const sequence = frame & 0xffff;
          packet.writeUInt16BE(sequence, 2);
          packet.writeUInt32BE((frame * 160) >>> 0, 4);
          packet[1] = (packet[1]! & 0x7f) | (frame === 0 ? 0x80 : 0);
          sentAt[leg]![sequence % 1024] = performance.now();
          sockets[leg]!.send(packet, bridgePorts[leg]!, HOST);
          if (sockets[leg]!.getSendQueueCount() > 0) packets[leg] = Buffer.from(packet);
          sent[leg]!++;
        }
        tick++;
        timer = setTimeout(run, Math.max(0, origin + tick * step - performance.now()));
      };
      recording = true;
      run();
    } else if (m.type === "window") {
      windowCpu = process.cpuUsage();
      windowStart = performance.now();
    } else if (m.type === "stop") {
      clearTimeout(timer);
      const cpu = process.cpuUsage(windowCpu);
      const cpuPercent = windowCpu ? ((cpu.user + cpu.system) / 1000 / (performance.now() - windowStart)) * 100 : NaN;
      await sleep(300); // the last packets in flight
      recording = false;
      // Only a sample of latencies goes back: IPC of millions of numbers would cost more than the run.
      const sample = latencies.length > 200_000 ? latencies.filter((_, i) => i % Math.ceil(latencies.length / 200_000) === 0) : latencies;
      reply({ type: "result", sent, received, latenciesMs: sample, cpuPercent });
      for (const s of sockets) s.close();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

if (process.argv.includes("--phones")) {
  void phones();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
