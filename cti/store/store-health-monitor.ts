// Watches the database connection: a probe (SELECT 1) at a fixed interval; the first failure publishes
// store.connectionFailed, the first success after that store.connectionRestored (SNMP turns them into
// secDatabaseConnFailed / secDatabaseConnRestored with one alarm key). One state change, one event.
import type { EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";

export type StoreHealth = "unknown" | "up" | "down";

export interface StoreHealthMonitorOptions {
  kind: "sqlite" | "mssql";
  ping: () => Promise<void>;
  intervalMs: number;
  bus: EventBus;
  logger: Logger;
}

export class StoreHealthMonitor {
  readonly #o: StoreHealthMonitorOptions;
  #state: StoreHealth = "unknown";
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #closed = false;

  constructor(options: StoreHealthMonitorOptions) {
    this.#o = options;
  }

  get state(): StoreHealth {
    return this.#state;
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Runs one probe (also used by tests); overlapping probes are skipped. */
  async check(): Promise<StoreHealth> {
    if (this.#running || this.#closed) return this.#state;
    this.#running = true;
    try {
      await this.#o.ping();
      this.#transition("up", "probe answered");
    } catch (e) {
      this.#transition("down", (e as Error).message);
    } finally {
      this.#running = false;
    }
    return this.#state;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #transition(to: "up" | "down", reason: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    if (to === "down") {
      this.#o.logger.error({ kind: this.#o.kind, reason }, "database connection failed");
      this.#o.bus.safeEmit("store.connectionFailed", { kind: this.#o.kind, reason });
    } else if (from === "down") {
      this.#o.logger.info({ kind: this.#o.kind }, "database connection restored");
      this.#o.bus.safeEmit("store.connectionRestored", { kind: this.#o.kind, reason });
    }
  }
}
