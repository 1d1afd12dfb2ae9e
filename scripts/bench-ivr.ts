// Benchmark: SIPp callers dial BVD 2999 (answer, 1-second prompt, hang up) while streaming 20 ms G.711 like a
// phone. Reports, per call rate held for the given duration: calls attempted / successful / failed, SIP
// retransmissions seen by SIPp and by the bridge, and the daemon's CPU milliseconds per call (utime+stime from
// /proc/PID/stat). The daemon runs as its own process (`ctibridge start`), SIPp either straight to it or through
// Kamailio.
//
//   node dist/scripts/bench-ivr.js --rate 100 --duration 60 [--via direct|kamailio] [--rates 100,200,300]
//                                  [--profile DIR]   (V8 CPU profile of the daemon, written when it stops)
import { spawn } from "node:child_process";
import { freePortRange, freeTcpUdpPort } from "../test/harness/free-port.js";
import { optionsResponder } from "../test/harness/sipp.js";
import { makeTempDir } from "../test/harness/temp-dir.js";
import {
  baseConfig,
  daemonPorts,
  flag,
  lastStats,
  machine,
  numberList,
  renderBenchScenario,
  startBenchDaemon,
  startLoadKamailio,
  waitExit,
  waitFor,
  writeToneFile,
  type StatRow,
} from "./bench/bench-support.js";

interface Args {
  profileDir: string | undefined;
  rates: number[];
  duration: number;
  via: "direct" | "kamailio";
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => flag(argv, name);
  const rates = numberList(get("rates") ?? get("rate") ?? "100", "--rate/--rates");
  const via = (get("via") ?? "direct") as Args["via"];
  if (via !== "direct" && via !== "kamailio") throw new Error("--via is direct or kamailio");
  return { rates, duration: Number(get("duration") ?? 60), via, profileDir: get("profile") };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = makeTempDir(undefined, "bench-ivr");
  // Even ports carry RTP: 2000 ports = 1000 simultaneous calls, room for 400 calls/s of ~1.2 s each plus latency.
  const ports = await daemonPorts(2000);
  const kamailio = args.via === "kamailio" ? await startLoadKamailio(dir, ports.sipPort) : undefined;
  // Straight to the daemon, a SIPp answering OPTIONS stands in for the call manager so its link is up.
  const responder = kamailio ? undefined : await optionsResponder({ dir });
  const daemon = await startBenchDaemon({
    dir,
    config: `${baseConfig(ports, kamailio?.port ?? responder!.port)}bvds:
  - { number: 2999, kind: serviceAccess, script: benchmark-prompt }
logging: { level: warn }
`,
    httpPort: ports.httpPort,
    profileDir: args.profileDir,
  });
  const health = `${daemon.httpUrl}/health`;

  const audio = dir.join("caller.pcmu");
  await writeToneFile(audio, 300);
  const scenario = renderBenchScenario(dir, "ivr-caller.xml", { AUDIO_FILE: audio });
  const target = kamailio ? `127.0.0.1:${kamailio.port}` : `127.0.0.1:${ports.sipPort}`;

  const results: string[] = [];
  for (const rate of args.rates) {
    const sippPort = await freeTcpUdpPort();
    const mediaPort = await freePortRange(4);
    const statFile = dir.join(`stat-${rate}.csv`);
    const total = Math.round(rate * args.duration);
    const before = (await (await fetch(health)).json()) as { sip?: { retransmissions: number } };
    const cpu0 = daemon.cpuMs();
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
    const cpu = daemon.cpuMs() - cpu0;
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
  console.log(`machine: ${machine()}`);
  await daemon.stop();
  await kamailio?.stop();
  await responder?.stop();
  if (results.some((r) => !/failed=0 /.test(r))) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
