// Phone agent failover between call managers (manual, "Load Balancing for Phone Agents": "If the Call Control Service
// or TAS fail while a phone agent is logged on, the Router Service will check for another active system on the same
// site … If one cannot be found, a timer will be set to retry … after a default time of 30 seconds.")
//
// When the link to a TAS call manager goes down, each phone agent logged on through it is moved to the least used
// other TAS call manager of the same site whose link is up, keeping its extension, its state and its restore row.
// A call in progress is not touched: its SIP dialog lives on. OAS call managers are never failed over.
//
//   linkDown ─► move agents ─┬─ some moved ─► callManager.failover (toCallManagerId: the one most moved to)
//      ▲                     └─ some left  ─► retry timer (system.failoverRetry) ─► move agents …
//      └── linkUp of the failed call manager: the retry is cancelled; agents still there stay there
//
// A move is not a logoff and logon: agents keep their place in the queues, and no agent.logoff / agent.logon is
// published. Each move is logged ("phone agent moved to another call manager"); each round that moved agents
// publishes one callManager.failover.
import type { CallManagerConfig } from "../config/schema.js";
import type { CallManagerLinkEvent, EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";
import type { AgentRegistry } from "./agent-registry.js";
import { leastUsedCallManager, type CallManagerUsage } from "./call-manager-selector.js";
import { KeyedMutex } from "./keyed-mutex.js";
import type { PhoneAgentService } from "./phone-agent-service.js";

/** The manual's default pause before trying again when no other call manager of the site is up. */
export const DEFAULT_FAILOVER_RETRY_MS = 30_000;

export interface CallManagerFailoverOptions {
  bus: EventBus;
  registry: AgentRegistry;
  phoneAgents: Pick<PhoneAgentService, "moveToCallManager">;
  callManagers: readonly CallManagerConfig[];
  /** Link state of each call manager (the SIP stack's keepalive) and agents on it (the registry). */
  usage: CallManagerUsage;
  /** Pause before trying again when no other TAS call manager of the site is up (system.failoverRetry). */
  retryMs?: number;
  logger: Logger;
}

export class CallManagerFailover {
  readonly #o: CallManagerFailoverOptions;
  readonly #retryMs: number;
  readonly #byId: ReadonlyMap<string, CallManagerConfig>;
  /** One round at a time per failed call manager. */
  readonly #rounds = new KeyedMutex();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  #started = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: CallManagerFailoverOptions) {
    this.#o = options;
    this.#retryMs = options.retryMs ?? DEFAULT_FAILOVER_RETRY_MS;
    this.#byId = new Map(options.callManagers.map((cm) => [cm.id, cm]));
  }

  /** Follows link changes; call managers already down with agents on them are failed over at once. Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#o.bus.on("callManager.linkDown", this.#onLinkDown);
    this.#o.bus.on("callManager.linkUp", this.#onLinkUp);
    for (const cm of this.#o.callManagers) {
      if (this.#o.usage.linkState(cm.id) === "down" && this.#o.usage.agentCount(cm.id) > 0) void this.#startRound(cm, linkEvent(cm, "link down"));
    }
  }

  /** Call managers whose agents wait for a retry (no other call manager of their site was up). */
  get waiting(): string[] {
    return [...this.#retryTimers.keys()];
  }

  /** Resolves when no failover round is running (a linkDown starts one at once; a retry when its timer fires). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops following links and cancels retries; waits for a round in progress. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#o.bus.off("callManager.linkDown", this.#onLinkDown);
      this.#o.bus.off("callManager.linkUp", this.#onLinkUp);
      for (const timer of this.#retryTimers.values()) clearTimeout(timer);
      this.#retryTimers.clear();
      await Promise.allSettled([...this.#inFlight]);
    })();
    return this.#closing;
  }

  readonly #onLinkDown = (event: CallManagerLinkEvent): void => {
    const cm = this.#byId.get(event.callManagerId);
    if (cm) void this.#startRound(cm, event);
  };

  readonly #onLinkUp = (event: CallManagerLinkEvent): void => {
    const timer = this.#retryTimers.get(event.callManagerId);
    if (!timer) return;
    clearTimeout(timer);
    this.#retryTimers.delete(event.callManagerId);
    this.#o.logger.info(
      { callManagerId: event.callManagerId, agents: this.#o.usage.agentCount(event.callManagerId) },
      "call manager is back before another was found; its phone agents stay on it",
    );
  };

  #startRound(cm: CallManagerConfig, cause: CallManagerLinkEvent): Promise<void> {
    const round = this.#rounds.run(cm.id, () => this.#round(cm, cause));
    const tracked = round.catch((e: unknown) => {
      this.#o.logger.error({ callManagerId: cm.id, err: (e as Error).message }, "call manager failover failed");
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
    return tracked;
  }

  async #round(failed: CallManagerConfig, cause: CallManagerLinkEvent): Promise<void> {
    const { registry, usage, logger } = this.#o;
    if (this.#closed || usage.linkState(failed.id) !== "down") return;
    const agents = registry.all().filter((a) => a.callManagerId === failed.id);
    if (agents.length === 0) return;
    if (failed.type !== "TAS") {
      logger.info({ callManagerId: failed.id, agents: agents.length }, "OAS call manager down; its phone agents are not failed over");
      return;
    }
    const moved = new Map<string, string[]>();
    for (const agent of agents) {
      if (this.#closed) break;
      const target = this.#target(failed);
      if (!target) break;
      try {
        const now = await this.#o.phoneAgents.moveToCallManager(agent.logonId, target.id, failed.id);
        if (now.callManagerId === target.id) moved.set(target.id, [...(moved.get(target.id) ?? []), agent.logonId]);
      } catch (e) {
        // Logged off meanwhile, or another agent holds the extension at the target: the agent stays where it is.
        logger.warn({ logonId: agent.logonId, extension: agent.extension, from: failed.id, to: target.id, err: (e as Error).message }, "phone agent not moved");
      }
    }
    const left = usage.agentCount(failed.id);
    const most = [...moved].sort((a, b) => b[1].length - a[1].length)[0];
    if (most) {
      logger.warn(
        { callManagerId: failed.id, site: failed.site, moved: Object.fromEntries([...moved].map(([id, ids]) => [id, ids.length])), left },
        "phone agents failed over to another call manager",
      );
      this.#o.bus.safeEmit("callManager.failover", { ...cause, toCallManagerId: most[0] });
    }
    if (left > 0 && !this.#closed && usage.linkState(failed.id) === "down") {
      logger.warn({ callManagerId: failed.id, site: failed.site, agents: left, retryInMs: this.#retryMs }, "no other active call manager in the site; phone agents wait for a retry");
      this.#scheduleRetry(failed, cause);
    }
  }

  /** The least used other TAS call manager of the site whose link is up ("active"), if any. */
  #target(failed: CallManagerConfig): CallManagerConfig | undefined {
    const { usage, callManagers } = this.#o;
    const activeOnly: CallManagerUsage = {
      linkState: (id) => (id !== failed.id && usage.linkState(id) === "up" ? "up" : "down"),
      agentCount: (id) => usage.agentCount(id),
    };
    const chosen = leastUsedCallManager(failed, callManagers, activeOnly);
    return chosen.id === failed.id ? undefined : chosen;
  }

  #scheduleRetry(failed: CallManagerConfig, cause: CallManagerLinkEvent): void {
    clearTimeout(this.#retryTimers.get(failed.id));
    const timer = setTimeout(() => {
      this.#retryTimers.delete(failed.id);
      void this.#startRound(failed, cause);
    }, this.#retryMs);
    timer.unref();
    this.#retryTimers.set(failed.id, timer);
  }
}

function linkEvent(cm: CallManagerConfig, reason: string): CallManagerLinkEvent {
  return { callManagerId: cm.id, name: cm.name, site: cm.site, host: cm.host, port: cm.port, transport: cm.transport, reason };
}
