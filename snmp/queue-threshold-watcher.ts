// Watches the service-group queues against the configured thresholds (waiting calls, longest wait) and publishes
// queue.thresholdExceeded when a value reaches its threshold and queue.thresholdCleared when it falls below again.
// Polling keeps the routing code free of SNMP concerns; the poll interval bounds how late an alarm is.
import type { EventBus, QueueThresholdEvent } from "../cti/events/event-bus.js";
import type { SnmpQueueThresholdConfig } from "./snmp-config.js";
import type { SnmpStatusProvider } from "./snmp-status-provider.js";

type Metric = QueueThresholdEvent["metric"];

export class QueueThresholdWatcher {
  readonly #thresholds: SnmpQueueThresholdConfig[];
  readonly #status: SnmpStatusProvider;
  readonly #bus: EventBus;
  /** "group\0metric" of thresholds currently exceeded. */
  readonly #raised = new Set<string>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: { thresholds: SnmpQueueThresholdConfig[]; status: SnmpStatusProvider; bus: EventBus; intervalMs: number }) {
    this.#thresholds = options.thresholds;
    this.#status = options.status;
    this.#bus = options.bus;
    if (this.#thresholds.length > 0 && options.intervalMs > 0) {
      this.#timer = setInterval(() => this.check(), options.intervalMs);
      this.#timer.unref();
    }
  }

  /** Compares every service group with its thresholds once (also called by the timer). */
  check(): void {
    let groups: ReturnType<SnmpStatusProvider["serviceGroups"]>;
    try {
      groups = this.#status.serviceGroups();
    } catch {
      return; // the status source is down; try again next poll
    }
    for (const g of groups) {
      const t = this.#thresholds.find((x) => x.serviceGroup === g.name) ?? this.#thresholds.find((x) => x.serviceGroup === "*");
      if (!t) continue;
      if (t.waitingCalls !== undefined) this.#compare(g.name, "waitingCalls", g.waiting, t.waitingCalls);
      if (t.longestWait !== undefined) this.#compare(g.name, "longestWait", Math.floor(g.longestWaitSeconds), Math.ceil(t.longestWait / 1000));
    }
  }

  #compare(serviceGroup: string, metric: Metric, value: number, threshold: number): void {
    const key = `${serviceGroup}\0${metric}`;
    const event: QueueThresholdEvent = { serviceGroup, metric, value, threshold };
    if (value >= threshold && !this.#raised.has(key)) {
      this.#raised.add(key);
      this.#bus.safeEmit("queue.thresholdExceeded", event);
    } else if (value < threshold && this.#raised.has(key)) {
      this.#raised.delete(key);
      this.#bus.safeEmit("queue.thresholdCleared", event);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
