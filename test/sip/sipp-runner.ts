// Starts SIPp directly for the SIP layer's tests: scenario text written to a temp dir, loopback addresses and
// ports given explicitly, stopped only by its own PID.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SippResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SippProcess {
  readonly pid: number | undefined;
  readonly done: Promise<SippResult>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<SippResult>;
}

export interface SippOptions {
  scenario: string;
  /** "host:port" to call; omitted for a UAS. */
  remote?: string;
  localAddress?: string;
  localPort?: number;
  transport?: "udp" | "tcp";
  /** Request-URI user ([service]). */
  service?: string;
  calls?: number;
  extraArgs?: string[];
}

export function runSipp(o: SippOptions): SippProcess {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-sipp-"));
  const file = join(dir, "scenario.xml");
  writeFileSync(file, o.scenario);
  const local = o.localAddress ?? "127.0.0.1";
  const args = [
    ...(o.remote ? [o.remote] : []),
    "-sf", file, "-i", local, "-mi", local, "-nostdin", "-m", String(o.calls ?? 1),
    "-timeout", "30s", "-timeout_error", "-max_recv_loops", "1000",
    ...(o.localPort !== undefined ? ["-p", String(o.localPort)] : []),
    ...(o.transport === "tcp" ? ["-t", "t1"] : []),
    ...(o.service ? ["-s", o.service] : []),
    ...(o.extraArgs ?? []),
  ];
  const child = spawn("sipp", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippResult>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.on("error", (e) => resolve({ code: -1, signal: null, stdout, stderr: stderr + String(e) }));
  });
  return {
    pid: child.pid,
    done,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, "SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
        }, 2000);
        const r = await done;
        clearTimeout(timer);
        return r;
      }
      return done;
    },
  };
}

/** A UDP port free right now on `address` (bound and released; fine for a test peer). */
export function freeUdpPort(address = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.once("error", reject);
    s.bind(0, address, () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}
