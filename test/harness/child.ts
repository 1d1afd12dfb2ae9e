// A peer process (Kamailio, SIPp, baresip) started for a test: output to a log file in the test's temp dir,
// readiness waited for with a timeout, stopped by PID (SIGTERM, then SIGKILL after a grace period).
// Each child leads its own process group, so the SIGKILL fallback also reaches helpers it forked (Kamailio's
// workers) and nothing else. Cleanup runs on ava teardown and, as a last resort, when this Node process exits.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TeardownContext } from "./teardown-context.js";

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildOptions {
  /** Short name, used for the log file (`<dir>/<name>.log`) and in error messages. */
  name: string;
  command: string;
  args: readonly string[];
  /** Folder for the log file (usually a TempDir path). */
  dir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Registers stop() with ava's t.teardown. */
  t?: TeardownContext;
  /** How long stop() waits after SIGTERM before SIGKILL (default 2000 ms). */
  graceMs?: number;
  /** Signal stop() sends first (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

const live = new Set<ChildProcessHandle>();
let hooksInstalled = false;

/** Kill whatever this process started and is still running. Synchronous: safe in an 'exit' handler. */
function killAllNow(): void {
  for (const c of live) c.killNow();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllNow);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only when nobody else handles the signal: then re-raise it so the default action (exit) still happens.
    if (process.listenerCount(sig) > 0) continue;
    process.once(sig, () => {
      killAllNow();
      process.kill(process.pid, sig);
    });
  }
}

/** Whether a process with this PID exists (and is not a zombie we already reaped). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie still answers kill(0); treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ChildProcessHandle {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  #exit: ChildExit | undefined;
  #stopping: Promise<ChildExit> | undefined;
  readonly #graceMs: number;
  readonly #stopSignal: NodeJS.Signals;

  constructor(opts: ChildOptions) {
    this.name = opts.name;
    this.#graceMs = opts.graceMs ?? 2000;
    this.#stopSignal = opts.stopSignal ?? "SIGTERM";
    this.logPath = join(opts.dir, `${opts.name}.log`);
    const fd = openSync(this.logPath, "a");
    let child;
    try {
      child = spawn(opts.command, [...opts.args], {
        cwd: opts.cwd ?? opts.dir,
        env: opts.env ?? process.env,
        stdio: ["ignore", fd, fd],
        detached: true, // own process group: see the header comment
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new Error(`${opts.name}: could not start ${opts.command} (is it installed?)`);
    }
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      child.once("error", () => {
        this.#exit ??= { code: null, signal: null };
        resolve(this.#exit);
      });
    });
    live.add(this);
    void this.exited.then(() => {
      live.delete(this);
      this.#killGroupLeftovers();
    });
    installExitHooks();
    opts.t?.teardown(async () => {
      await this.stop();
    });
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get exitStatus(): ChildExit | undefined {
    return this.#exit;
  }

  readLog(): string {
    try {
      return readFileSync(this.logPath, "utf8");
    } catch {
      return "";
    }
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 30): string {
    return this.readLog().split("\n").slice(-lines).join("\n");
  }

  /**
   * Poll `check` every `intervalMs` until it returns true. Rejects on timeout or when the process exits first,
   * with the log tail in the message.
   */
  async waitUntil(
    check: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = 5000,
    intervalMs = 10,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.#exit)}) before ${what}; log ${this.logPath}:\n${this.logTail()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms; log ${this.logPath}:\n${this.logTail()}`);
      }
      await sleep(intervalMs);
    }
  }

  /** Wait until the log matches `pattern`; returns the match. */
  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    let m: RegExpMatchArray | null = null;
    await this.waitUntil(() => (m = this.readLog().match(pattern)) !== null, `log line ${pattern}`, timeoutMs);
    return m as unknown as RegExpMatchArray;
  }

  /** Stop by PID: stop signal, SIGKILL to the process group after the grace period. Idempotent. */
  stop(graceMs = this.#graceMs): Promise<ChildExit> {
    if (this.#exit) return Promise.resolve(this.#exit);
    this.#stopping ??= (async () => {
      this.#signal(this.#stopSignal, false);
      const timer = sleep(graceMs).then(() => "timeout" as const);
      if ((await Promise.race([this.exited, timer])) === "timeout") {
        this.#signal("SIGKILL", true);
      }
      return this.exited;
    })();
    return this.#stopping;
  }

  /** SIGKILL the whole group now (used by the exit hook; synchronous). */
  killNow(): void {
    if (this.#exit) return;
    this.#signal("SIGKILL", true);
  }

  #signal(sig: NodeJS.Signals, group: boolean): void {
    try {
      process.kill(group ? -this.pid : this.pid, sig);
    } catch {
      // Already gone.
    }
  }

  /** After the leader exits, SIGKILL anything left in its group (forked workers that outlived it). */
  #killGroupLeftovers(): void {
    try {
      process.kill(-this.pid, 0);
    } catch {
      return; // group empty
    }
    this.#signal("SIGKILL", true);
  }
}

export function startChild(opts: ChildOptions): ChildProcessHandle {
  return new ChildProcessHandle(opts);
}
