// Keepalive towards one configured call manager, the way Asterisk qualifies its peers: an OPTIONS every
// keepalive.interval; any response (200, 404, …) means alive; no response within keepalive.timeout means down.
//
//   unknown ──answer──► up ◄──answer── down
//      └──no answer──► down ◄─no answer─┘
// Every change goes through stateTransition(), which logs and publishes callManager.linkUp / linkDown.
import type { CallManagerConfig } from "../config/schema.js";
import type { CallManagerLinkEvent, EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";

export type LinkState = "unknown" | "up" | "down";

/** Sends one OPTIONS to the call manager; resolves with the response status, rejects on a transport error. */
export type OptionsProbe = (callManager: CallManagerConfig) => Promise<number>;

export class CallManagerLink {
  #state: LinkState = "unknown";
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #stopped = false;

  constructor(
    readonly config: CallManagerConfig,
    private readonly probe: OptionsProbe,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  get state(): LinkState {
    return this.#state;
  }

  /** Probes now, then every keepalive.interval. */
  start(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setInterval(() => void this.#probeOnce(), this.config.keepalive.interval);
    this.#timer.unref();
    void this.#probeOnce();
  }

  /** Stops probing; idempotent. Stopping is not a link failure, so nothing is published. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #probeOnce(): Promise<void> {
    if (this.#probing || this.#stopped) return; // a probe still waiting (timeout longer than interval)
    this.#probing = true;
    const timeout = this.config.keepalive.timeout;
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        this.probe(this.config).then(
          (status) => ({ status }),
          (error: unknown) => ({ error }),
        ),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), timeout);
        }),
      ]);
      if (this.#stopped) return;
      if (outcome === "timeout") this.stateTransition("down", `no answer to OPTIONS within ${timeout} ms`);
      else if ("error" in outcome) this.stateTransition("down", `OPTIONS could not be sent: ${(outcome.error as Error)?.message ?? String(outcome.error)}`);
      else this.stateTransition("up", `answered OPTIONS with ${outcome.status}`);
    } finally {
      clearTimeout(timer);
      this.#probing = false;
    }
  }

  /** The one place the state changes. */
  stateTransition(next: LinkState, reason: string): void {
    const from = this.#state;
    if (from === next) return;
    switch (next) {
      case "up":
      case "down":
        break; // unknown→up|down, up→down, down→up are all legal
      case "unknown":
        throw new Error(`illegal call manager link transition ${from} → unknown`);
    }
    this.#state = next;
    const event: CallManagerLinkEvent = {
      callManagerId: this.config.id,
      name: this.config.name,
      site: this.config.site,
      host: this.config.host,
      port: this.config.port,
      transport: this.config.transport,
      reason,
    };
    const log = { callManagerId: this.config.id, host: this.config.host, port: this.config.port, from, to: next, reason };
    if (next === "up") {
      this.logger.info(log, "call manager link up");
      this.bus.safeEmit("callManager.linkUp", event);
    } else {
      this.logger.warn(log, "call manager link down");
      this.bus.safeEmit("callManager.linkDown", event);
    }
  }
}
