// Kamailio as the test call manager: registrar + record-routing proxy on 127.0.0.1 (UDP and TCP) that sends calls
// to BVD numbers to the daemon under test and the daemon's calls to registered phones. See kamailio.cfg for the
// routing. Runs unprivileged (setpriv to nobody when we are root) with its own run dir, pid file and control
// socket, so two tests can each run one at the same time.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, chmodSync } from "node:fs";
import { promisify } from "node:util";
import { startChild, type ChildProcessHandle } from "./child.js";
import { freeTcpUdpPort } from "./free-port.js";
import { harnessFile } from "./repo-root.js";
import { sipPing } from "./sip-ping.js";
import { testTempDir, type TempDir } from "./temp-dir.js";
import type { TeardownContext } from "./teardown-context.js";

const execFileAsync = promisify(execFile);

export const DEFAULT_BVD_PATTERN = "^[23][0-9]{3}$";

export interface KamailioOptions {
  /** The daemon under test listens on 127.0.0.1:daemonPort. */
  daemonPort: number;
  /** How Kamailio reaches the daemon (default udp). */
  daemonTransport?: "udp" | "tcp";
  /**
   * Dialled-number prefixes routed to the daemon, e.g. ["2", "3"] or ["80"]: the R-URI user must start with one
   * of them and be digits (plus * #) only. Overrides the default BVD pattern `^[23][0-9]{3}$`.
   */
  routePrefixes?: readonly string[];
  /** A POSIX ERE on the R-URI user instead of routePrefixes (no `!` or `"`). */
  routePattern?: string;
  /** ava context: stop Kamailio and remove its files on teardown. */
  t?: TeardownContext;
  /** Where to put config, run dir and log (default: a new temp dir). */
  dir?: TempDir;
  /** Readiness timeout (default 5000 ms). */
  readyTimeoutMs?: number;
  /** Shared memory in MiB (default 64; load tests need more: each transaction lives in shared memory). */
  sharedMemoryMb?: number;
}

export interface KamailioInstance {
  readonly host: "127.0.0.1";
  /** UDP and TCP port of the proxy. */
  readonly port: number;
  readonly pid: number;
  readonly logPath: string;
  readonly process: ChildProcessHandle;
  /** The registered contact URI of `user`, or undefined if not registered. */
  lookup(user: string): Promise<string | undefined>;
  /** Poll lookup() until `user` is registered; resolves with the contact. */
  waitForRegistration(user: string, timeoutMs?: number): Promise<string>;
  /** Kamailio's log so far (one line per routed request, with the routing decision). */
  readLog(): string;
  stop(): Promise<void>;
}

/** Turn dialled-number prefixes into the ERE Kamailio matches on the R-URI user. */
export function prefixesToPattern(prefixes: readonly string[]): string {
  if (prefixes.length === 0) throw new Error("routePrefixes must not be empty");
  const alts = prefixes.map((p) => {
    if (!/^[0-9*#+]+$/.test(p)) throw new Error(`route prefix ${JSON.stringify(p)}: digits, *, # or + only`);
    return p.replace(/[*+]/g, (c) => `[${c}]`);
  });
  return `^(${alts.join("|")})[0-9*#]*$`;
}

/** Escape a value for `--substdef '!NAME!value!g'` (Kamailio's subst: `$` starts a variable, `\` escapes). */
function substValue(name: string, value: string): string {
  if (/[!"\n]/.test(value)) throw new Error(`kamailio ${name}: ${JSON.stringify(value)} must not contain ! " or newline`);
  return `!${name}!${value.replace(/\\/g, "\\\\").replace(/\$/g, "\\$")}!g`;
}

const isRoot = process.getuid?.() === 0;
let instances = 0;

export async function startKamailio(opts: KamailioOptions): Promise<KamailioInstance> {
  const transport = opts.daemonTransport ?? "udp";
  const pattern =
    opts.routePattern ?? (opts.routePrefixes ? prefixesToPattern(opts.routePrefixes) : DEFAULT_BVD_PATTERN);
  const dir = opts.dir ?? testTempDir(opts.t, "kamailio");
  // A port can be taken between probing and Kamailio's bind (shared loopback): retry with a new one.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(opts, dir, transport, pattern, attempt);
    } catch (e) {
      lastError = e;
      if (!/bind|Address already in use/i.test(String(e))) throw e;
    }
  }
  throw lastError;
}

async function startOnce(
  opts: KamailioOptions,
  dir: TempDir,
  transport: "udp" | "tcp",
  pattern: string,
  attempt: number,
): Promise<KamailioInstance> {
  const port = await freeTcpUdpPort();
  const name = `kamailio-${++instances}-${attempt}`;
  const base = dir.join(name);
  const runDir = `${base}/run`;
  mkdirSync(runDir, { recursive: true });
  chmodSync(base, 0o777);
  chmodSync(runDir, 0o777);
  const cfg = `${base}/kamailio.cfg`;
  copyFileSync(harnessFile("kamailio.cfg"), cfg);
  chmodSync(cfg, 0o644);
  const ctlSocket = `${base}/kamailio.ctl`;
  const args = [
    "-DD", "-E",
    "-f", cfg,
    "-Y", runDir,
    "-P", `${runDir}/kamailio.pid`,
    "-m", String(opts.sharedMemoryMb ?? 64), "-M", "8",
    "--substdef", substValue("SIP_PORT", String(port)),
    "--substdef", substValue("DAEMON_PORT", String(opts.daemonPort)),
    "--substdef", substValue("DAEMON_TRANSPORT", transport),
    "--substdef", substValue("BVD_PATTERN", pattern),
    "--substdef", substValue("KAMCTL_SOCKET", ctlSocket),
  ];
  // setpriv execs Kamailio, so the PID we hold is Kamailio's main process and SIGTERM stops all its workers.
  const proc = isRoot
    ? startChild({
        name,
        command: "setpriv",
        args: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "kamailio", ...args],
        dir: dir.path,
        cwd: base,
        t: opts.t,
      })
    : startChild({ name, command: "kamailio", args, dir: dir.path, cwd: base, t: opts.t });
  try {
    await proc.waitUntil(
      async () => (await sipPing({ port, timeoutMs: 100 })) === 200,
      "200 to OPTIONS",
      opts.readyTimeoutMs ?? 5000,
      5,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }

  const lookup = async (user: string): Promise<string | undefined> => {
    if (!/^[A-Za-z0-9_.+*#-]+$/.test(user)) throw new Error(`lookup: bad user ${JSON.stringify(user)}`);
    // kamcmd exits 0 even on errors; an unregistered user prints "error: 404 - Not Found".
    const { stdout } = await execFileAsync("kamcmd", ["-s", `unix:${ctlSocket}`, "ul.lookup", "location", `s:${user}`], {
      timeout: 3000,
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
    const m = /Address:\s*(\S+)/.exec(stdout);
    return m?.[1];
  };

  const instance: KamailioInstance = {
    host: "127.0.0.1",
    port,
    pid: proc.pid,
    logPath: proc.logPath,
    process: proc,
    lookup,
    async waitForRegistration(user, timeoutMs = 5000) {
      let contact: string | undefined;
      await proc.waitUntil(async () => (contact = await lookup(user)) !== undefined, `registration of ${user}`, timeoutMs, 20);
      return contact as unknown as string;
    },
    readLog: () => proc.readLog(),
    async stop() {
      await proc.stop();
    },
  };
  return instance;
}
