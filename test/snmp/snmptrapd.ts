// A real snmptrapd for the SNMP tests, loading the project's MIB, on a free loopback port, stopped by PID.
// Every received notification becomes one line in its log: "NOTIFICATION <pdu info>|enterprise=…|specific=…|
// agent=…|varbind~varbind~…", with names resolved through the MIB (so a test that finds a name proves the MIB).
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const MIB_DIR = join(ROOT, "mib");
export const BASE_MIB_DIR = join(ROOT, "node_modules", "net-snmp", "lib", "mibs");

export interface V3User {
  name: string;
  authKey: string;
  privKey: string;
  /** Engine ID of the trap sender (v3 traps); informs use snmptrapd's own engine. */
  engineID: string;
}

export interface TrapReceiver {
  readonly port: number;
  readonly dir: string;
  /** The notification lines received so far (also from earlier runs after restart()). */
  notifications(): string[];
  waitFor(predicate: (line: string) => boolean, timeoutMs?: number, count?: number): Promise<string[]>;
  stop(): Promise<void>;
  /** Starts again on the same port (after stop()). */
  restart(): Promise<void>;
}

/** A MIB directory for net-snmp tools: the IETF base modules (Debian lacks them) plus the project MIB. */
export function toolMibDir(dir: string): string {
  const mibs = join(dir, "mibs");
  mkdirSync(mibs, { recursive: true });
  mkdirSync(join(dir, "persist", "cert_indexes"), { recursive: true }); // else the tools say "Created directory"
  for (const f of readdirSync(BASE_MIB_DIR)) copyFileSync(join(BASE_MIB_DIR, f), join(mibs, f));
  for (const f of readdirSync(MIB_DIR)) copyFileSync(join(MIB_DIR, f), join(mibs, f));
  return mibs;
}

export const TOOL_ENV = (dir: string) => ({ ...process.env, HOME: dir, SNMP_PERSISTENT_DIR: join(dir, "persist"), MIBS: "" });

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startSnmptrapd(options: { users?: V3User[]; port?: number } = {}): Promise<TrapReceiver> {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-snmptrapd-"));
  const mibs = toolMibDir(dir);
  const conf = join(dir, "snmptrapd.conf");
  const lines = ["disableAuthorization yes"];
  for (const u of options.users ?? []) {
    lines.push(`createUser -e 0x${u.engineID} ${u.name} SHA ${u.authKey} AES ${u.privKey}`);
    lines.push(`createUser ${u.name} SHA ${u.authKey} AES ${u.privKey}`);
  }
  writeFileSync(conf, lines.join("\n") + "\n");
  const log = join(dir, "traps.log");
  let port = options.port ?? (await freeUdpPort());
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    rmSync(join(dir, "persist"), { recursive: true, force: true });
    const p = spawn(
      "snmptrapd",
      ["-f", "-C", "-c", conf, "-Lf", log, "-n", "-t", "-X", "-M", mibs, "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB",
        "-F", "NOTIFICATION %P|enterprise=%N|specific=%q|agent=%A|%V~%v\\n", `udp:127.0.0.1:${port}`],
      { env: TOOL_ENV(dir), stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    p.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child = p;
    // If the test worker ends without stop() (a failed assertion before teardown), do not leave snmptrapd behind.
    const reap = () => p.kill("SIGKILL");
    process.once("exit", reap);
    p.once("exit", () => process.off("exit", reap));
    // Ready when it is still alive after its banner and the port is taken.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      await sleep(50);
      if (p.exitCode !== null) throw new Error(`snmptrapd exited (${p.exitCode}): ${stderr}`);
      if (existsSync(log) && readFileSync(log, "utf8").includes("NET-SNMP version") && (await portTaken(port))) return;
    }
    throw new Error(`snmptrapd not ready on port ${port}: ${stderr}`);
  };

  const stop = async (): Promise<void> => {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  const notifications = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("NOTIFICATION ")) : []);
  return {
    port,
    dir,
    notifications,
    async waitFor(predicate, timeoutMs = 5000, count = 1) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = notifications().filter(predicate);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} notification(s); got:\n${notifications().join("\n")}`);
        await sleep(50);
      }
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

async function portTaken(port: number): Promise<boolean> {
  const s = dgram.createSocket("udp4");
  return new Promise((resolve) => {
    s.once("error", () => {
      s.close();
      resolve(true);
    });
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Value of a varbind in a notification line, by object name (e.g. "secEventText"). */
export function varbind(line: string, name: string): string | undefined {
  const part = line.split(/[|~]/).find((p) => p.includes(`::${name}.`) || p.includes(`::${name} `));
  if (!part) return undefined;
  const eq = part.indexOf(" = ");
  return eq === -1 ? undefined : part.slice(eq + 3).replace(/^[A-Za-z0-9]+: /, "");
}
