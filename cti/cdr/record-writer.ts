// How the call detail recorders write: every write is tracked (flush() waits for all of them), never rejects, and
// is retried once after a pause when it fails for a reason that a retry could cure. A write that fails twice is
// logged with the whole record, so the record can still be recovered from the log.
import { Errors, isCtiError } from "../errors.js";
import type { Logger } from "../log.js";

export interface RecordWriterOptions {
  logger: Logger;
  /** What the log lines call a write: "call detail", "agent call detail". */
  noun: string;
  /** Pause before the one retry. */
  retryDelayMs: number;
}

export class RecordWriter {
  readonly #logger: Logger;
  readonly #noun: string;
  readonly #retryDelayMs: number;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: RecordWriterOptions) {
    this.#logger = options.logger;
    this.#noun = options.noun;
    this.#retryDelayMs = options.retryDelayMs;
  }

  /** Resolves when every tracked write has finished, including writes tracked while waiting. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Makes flush() wait for this promise too. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
    return promise;
  }

  /**
   * Runs a write, once more after the pause if it fails, and tracks it. Resolves true when it succeeded; never
   * rejects. BAD_REQUEST and CALL_NOT_FOUND are not retried: trying again cannot help.
   */
  persist(what: string, callId: string, write: () => Promise<unknown>, record?: unknown): Promise<boolean> {
    return this.track(this.#persist(what, callId, write, record));
  }

  async #persist(what: string, callId: string, write: () => Promise<unknown>, record: unknown): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (first) {
      if (isCtiError(first, Errors.BAD_REQUEST) || isCtiError(first, Errors.CALL_NOT_FOUND)) {
        this.#logger.error({ err: first, callId, what, record }, `${this.#noun} write refused; not retried`);
        return false;
      }
      this.#logger.warn({ err: first, callId, what, retryInMs: this.#retryDelayMs }, `${this.#noun} write failed; retrying once`);
    }
    await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
    try {
      await write();
      this.#logger.info({ callId, what }, `${this.#noun} write succeeded on retry`);
      return true;
    } catch (second) {
      this.#logger.error({ err: second, callId, what, record }, `${this.#noun} write failed twice; record lost`);
      return false;
    }
  }
}
