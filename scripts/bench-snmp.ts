// Benchmark: N notifications per second to one destination for S seconds, received by a real snmptrapd that loads
// the project MIB. Reports what was offered, sent (or acknowledged), received, dropped, and the sender's CPU.
//   npm run build && node dist/scripts/bench-snmp.js [--rate 1000] [--seconds 30] [--version v2c] [--mode trap]
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EventBus } from "../cti/events/event-bus.js";
import { createLogger } from "../cti/log.js";
import { snmpConfigSchema } from "../snmp/snmp-config.js";
import { startSnmp } from "../snmp/snmp-service.js";

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "30" },
    version: { type: "string", default: "v2c" },
    mode: { type: "string", default: "trap" },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const ROOT = [join(dirname(fileURLToPath(import.meta.url)), "..", ".."), join(dirname(fileURLToPath(import.meta.url)), "..")].find((d) =>
  existsSync(join(d, "node_modules", "net-snmp")),
)!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const dir = mkdtempSync(join(tmpdir(), "ctibridge-bench-snmp-"));
const mibs = join(dir, "mibs");
mkdirSync(mibs);
mkdirSync(join(dir, "persist", "cert_indexes"), { recursive: true });
for (const f of readdirSync(join(ROOT, "node_modules", "net-snmp", "lib", "mibs"))) copyFileSync(join(ROOT, "node_modules", "net-snmp", "lib", "mibs", f), join(mibs, f));
copyFileSync(join(ROOT, "mib", "SEC-CC-EVENTS-MIB.txt"), join(mibs, "SEC-CC-EVENTS-MIB.txt"));
writeFileSync(join(dir, "snmptrapd.conf"), "disableAuthorization yes\n");
const log = join(dir, "traps.log");
const port = await freePort();
const trapd = spawn(
  "snmptrapd",
  ["-f", "-C", "-c", join(dir, "snmptrapd.conf"), "-Lf", log, "-n", "-t", "-X", "-M", mibs, "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB",
    "-F", "N %V~%v\\n", `udp:127.0.0.1:${port}`],
  { env: { ...process.env, HOME: dir, SNMP_PERSISTENT_DIR: join(dir, "persist"), MIBS: "" }, stdio: "ignore" },
);
await sleep(500);
const received = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("N ")).length : 0);

const bus = new EventBus();
const config = snmpConfigSchema.parse({
  damping: { maxPerWindow: 0 },
  destinations: [{ host: "127.0.0.1", port, version: args.version, mode: args.mode, community: "public", queueSize: rate * seconds }],
});
const snmp = await startSnmp({
  config,
  bus,
  logger: createLogger({ level: "warn" }),
  status: { agentsByState: () => ({}), serviceGroups: () => [], callManagerLinks: () => [] },
  version: "bench",
});

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let offered = 0;
// Emit in 10 ms ticks to hold the rate without a timer per notification.
while (offered < rate * seconds) {
  const due = Math.min(rate * seconds, Math.floor(((performance.now() - t0) / 1000) * rate));
  for (; offered < due; offered++) bus.safeEmit("ivr.scriptError", { script: `bench-${offered % 100}`, block: "b", callId: `call-${offered}`, message: "benchmark" });
  await sleep(10);
}
const emitSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
// Give the receiver up to 10 s to catch up.
for (let i = 0; i < 100 && received() < offered; i++) await sleep(100);
const stats = snmp.stats();
await snmp.close();
trapd.kill("SIGTERM");

const result = {
  destination: `${args.version} ${args.mode}`,
  rate,
  seconds,
  offered,
  emitSeconds: Number(emitSeconds.toFixed(2)),
  sent: stats.sent,
  failed: stats.failed,
  dropped: stats.dropped,
  received: received(),
  lossPercent: Number((100 * (1 - received() / offered)).toFixed(3)),
  senderCpuPercent: Number(((100 * (cpu.user + cpu.system)) / 1e6 / emitSeconds).toFixed(1)),
};
console.log(JSON.stringify(result, null, 2));
process.exit(result.received === offered ? 0 : 1);
