// Call detail records from the event bus. The recorder follows each service group call through its call.* events,
// builds one record per call (and one more for each service group it overflows into), writes it when the call leaves
// the group, and adds the last agent's clerical time when that agent leaves clerical state.
//
//   call.queued ─► call.delivered ─► call.offerFailed ─► call.queued (requeued) ─► call.delivered ─► call.established
//        │                │                                                                              │
//        │                └─ call.abandoned (stage ringing) ─► row: abandoned, agent = the one ringing   │
//        ├─ call.abandoned (stage queue) ─► row: abandoned                                                ▼
//        └─ call.overflowed ─► row: overflowed | closed ─► next events of the call: visit + 1   call.cleared ─► row: answered
//                                                                          agent.stateChanged clerical → … ─► clerical_ms
//
// Attribution follows the manual ("Transfer of Service Group Voice Calls"): the call belongs to the last agent;
// alerting time is how long it rang at the first agent who answered (an offer nobody answered is waiting time);
// talk time is summed across agents (call.transferred closes one agent's share); clerical time is the last agent's
// only (the transferring agent's wrap-up is not the call's). Times come from one clock (the
// recorder's), so wait_ms = answered_at − arrived_at (or ended_at − arrived_at) holds in every row.
//
// Listeners never throw into the bus, and writes never reject: a failed write is logged, retried once after
// `retryDelayMs`, and logged with the whole record if the retry fails too (record-writer.ts).
import type {
  AgentStateChangedEvent,
  CallAbandonedEvent,
  CallClearedEvent,
  CallDeliveredEvent,
  CallEstablishedEvent,
  CallEventBase,
  CallOfferFailedEvent,
  CallOverflowEvent,
  CallQueuedEvent,
  CallTransferredEvent,
  DispatchQueuedEvent,
  EventBus,
} from "../events/event-bus.js";
import type { Logger } from "../log.js";
import { RecordWriter } from "./record-writer.js";
import { BusSubscriptions } from "../events/bus-subscriptions.js";
import { CALL_DETAIL_WIDTHS, type CallDetailRepository, type CallOutcome, type CallReleasedBy, type NewCallDetail } from "../store/call-detail-repository.js";

export interface CallDetailRecorderOptions {
  bus: EventBus;
  /** `store.callDetails`. */
  callDetails: CallDetailRepository;
  /** The configuration's tenant (system.tenantId). */
  tenantId: number;
  logger: Logger;
  /** Pause before the one retry of a failed write. Default 1 s. */
  retryDelayMs?: number;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. Default Date.now. */
  now?: () => number;
}

/** A call that ended this long before its agent entered clerical state still owns that clerical time. */
export const CLERICAL_FOLLOWS_CALL_MS = 5_000;
/** How long an overflowed call is remembered, so its events in the next group count as its next visit. */
const OVERFLOW_MEMORY_MS = 60_000;

interface AgentAt {
  logonId: string;
  extension: string | null;
  since: number;
}

/** One call's visit to one service group, while it lasts. */
interface CallInProgress {
  callId: string;
  visit: number;
  serviceAccess: string;
  serviceGroup: string;
  dialedNumber: string;
  callerNumber: string;
  callerName: string | null;
  arrivedAt: number;
  offers: number;
  /** The agent whose phone rings now. */
  ringing: AgentAt | undefined;
  answeredAt: number | undefined;
  alertingMs: number;
  /** The agent talking now, since when. */
  talking: AgentAt | undefined;
  /** Talk time of the agents before the current one (transfers). */
  earlierTalkMs: number;
}

interface CallEnd {
  outcome: CallOutcome;
  agent: { logonId: string; extension: string | null } | null;
  releasedBy: CallReleasedBy | null;
  alertingMs: number;
  talkMs: number;
}

/** The last call an agent handled, until its clerical time is known. */
interface AgentLastCall {
  callId: string;
  endedAt: number;
  /** Resolves true once the row is stored (false if it was lost). */
  stored: Promise<boolean>;
}

function clip(value: string, width: number): string {
  return value.length > width ? value.slice(0, width) : value;
}

export class CallDetailRecorder {
  readonly #repository: CallDetailRepository;
  readonly #tenantId: number;
  readonly #logger: Logger;
  readonly #writer: RecordWriter;
  readonly #now: () => number;
  readonly #calls = new Map<string, CallInProgress>();
  /** Calls that overflowed: callId → the visit that ended and when. */
  readonly #overflowed = new Map<string, { visit: number; endedAt: number }>();
  readonly #lastCallOf = new Map<string, AgentLastCall>();
  readonly #clericalSince = new Map<string, number>();
  readonly #subscriptions: BusSubscriptions;
  #closing: Promise<void> | undefined;

  /** Starts listening at once. */
  constructor(options: CallDetailRecorderOptions) {
    this.#repository = options.callDetails;
    this.#tenantId = options.tenantId;
    this.#logger = options.logger.child({ component: "cdr" });
    this.#writer = new RecordWriter({ logger: this.#logger, noun: "call detail", retryDelayMs: options.retryDelayMs ?? 1000 });
    this.#now = options.now ?? Date.now;
    this.#subscriptions = new BusSubscriptions(options.bus, (err, event) => this.#logger.error({ err, event }, "call detail recorder failed on an event; the call's record may be incomplete"));
    this.#subscriptions.on("call.queued", (e) => this.#onQueued(e));
    this.#subscriptions.on("call.delivered", (e) => this.#onDelivered(e));
    this.#subscriptions.on("call.offerFailed", (e) => this.#onOfferFailed(e));
    this.#subscriptions.on("call.established", (e) => this.#onEstablished(e));
    this.#subscriptions.on("call.cleared", (e) => this.#onCleared(e));
    this.#subscriptions.on("call.abandoned", (e) => this.#onAbandoned(e));
    this.#subscriptions.on("call.overflowed", (e) => this.#onOverflowed(e));
    this.#subscriptions.on("call.transferred", (e) => this.#onTransferred(e));
    // A personal call waits in the dispatch queue, not in the ACD queue (cti/calls/personal-routing/): its wait starts there.
    this.#subscriptions.on("dispatch.queued", (e) => this.#onQueued(e));
    this.#subscriptions.on("agent.stateChanged", (e) => this.#onAgentStateChanged(e));
  }

  /** Calls followed now (not yet written). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Resolves when every write and clerical update started so far has finished (they never reject). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /**
   * Stops listening, writes the calls still followed as ended by the system (answered ones keep their talk time),
   * and waits for every write. Close it after the calls have been ended, so their real endings are recorded.
   * Idempotent; concurrent calls share one close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#subscriptions.clear();
    const open = [...this.#calls.values()];
    if (open.length > 0) this.#logger.info({ calls: open.length }, "writing call detail records of calls still open at close");
    for (const call of open) this.#endBySystem(call);
    await this.flush();
  }

  // ── following a call ────────────────────────────────────────────────────────────────────────────────────────

  /** The call's current visit; a first event starts one (arrival reconstructed from waitMs when it carries one). */
  #follow(e: CallEventBase, waitMs = 0): CallInProgress {
    const known = this.#calls.get(e.callId);
    if (known) return known;
    const now = this.#now();
    this.#forgetOldOverflows(now);
    const previous = this.#overflowed.get(e.callId);
    this.#overflowed.delete(e.callId);
    const call: CallInProgress = {
      callId: e.callId,
      visit: previous ? previous.visit + 1 : 1,
      serviceAccess: e.serviceAccess,
      serviceGroup: e.serviceGroup,
      dialedNumber: clip(e.dialed, CALL_DETAIL_WIDTHS.dialedNumber),
      callerNumber: clip(e.caller.number, CALL_DETAIL_WIDTHS.callerNumber),
      callerName: e.caller.name ? clip(e.caller.name, CALL_DETAIL_WIDTHS.callerName) : null,
      // A later visit starts when the previous one ended; the waitMs of events counts from the call's first arrival.
      arrivedAt: previous ? previous.endedAt : now - Math.max(0, waitMs),
      offers: 0,
      ringing: undefined,
      answeredAt: undefined,
      alertingMs: 0,
      talking: undefined,
      earlierTalkMs: 0,
    };
    this.#calls.set(e.callId, call);
    return call;
  }

  #onQueued(e: CallQueuedEvent | DispatchQueuedEvent): void {
    const call = this.#follow(e);
    call.ringing = undefined;
  }

  #onDelivered(e: CallDeliveredEvent): void {
    const call = this.#follow(e);
    call.offers += 1;
    call.ringing = { logonId: e.logonId, extension: e.extension, since: this.#now() };
  }

  #onOfferFailed(e: CallOfferFailedEvent): void {
    const call = this.#calls.get(e.callId);
    if (call?.ringing?.logonId === e.logonId) call.ringing = undefined;
  }

  #onEstablished(e: CallEstablishedEvent): void {
    const call = this.#follow(e, e.waitMs);
    const now = this.#now();
    if (call.answeredAt === undefined) {
      call.answeredAt = now;
      call.alertingMs = call.ringing?.logonId === e.logonId ? now - call.ringing.since : 0;
    } else if (call.talking) {
      // Another agent took over the conversation: the previous agent's talk time is complete.
      call.earlierTalkMs += now - call.talking.since;
    }
    call.ringing = undefined;
    call.talking = { logonId: e.logonId, extension: e.extension, since: now };
  }

  /** The transferring agent's talk time is complete; the target (or, for a number, nobody) talks from its answer. */
  #onTransferred(e: CallTransferredEvent): void {
    const call = this.#follow(e);
    const now = this.#now();
    if (call.talking) call.earlierTalkMs += now - call.talking.since;
    call.talking = undefined;
    if (e.kind !== "serviceGroup") return;
    // Sent to another service group's queue: this group's visit ends with the transferring agent (its talk, its
    // clerical time), and the call's next events there are its next visit, as after an overflow.
    const answered = call.answeredAt !== undefined;
    this.#finish(call, now, {
      outcome: answered ? "answered" : "failed",
      agent: { logonId: e.logonId, extension: e.extension || null },
      releasedBy: "agent",
      alertingMs: call.alertingMs,
      talkMs: answered ? call.earlierTalkMs : 0,
    });
    this.#overflowed.set(call.callId, { visit: call.visit, endedAt: now });
  }

  #onCleared(e: CallClearedEvent): void {
    const call = this.#follow(e);
    const now = this.#now();
    if (call.answeredAt === undefined && e.talkMs > 0) {
      // The recorder missed the answer (it started mid-call): take the talk time the event measured.
      call.answeredAt = now - e.talkMs;
      call.talking = { logonId: e.logonId, extension: e.extension, since: call.answeredAt };
    }
    const answered = call.answeredAt !== undefined;
    const agent = e.logonId ? { logonId: e.logonId, extension: e.extension || null } : (call.talking ?? call.ringing ?? null);
    this.#finish(call, now, {
      outcome: answered ? "answered" : "failed",
      agent,
      releasedBy: e.releasedBy,
      alertingMs: call.alertingMs,
      talkMs: answered ? call.earlierTalkMs + (call.talking ? now - call.talking.since : 0) : 0,
    });
  }

  #onAbandoned(e: CallAbandonedEvent): void {
    const call = this.#follow(e, e.waitMs);
    const now = this.#now();
    const ringing = e.stage === "ringing" ? call.ringing : undefined;
    const agent = ringing ?? (e.stage === "ringing" && e.logonId ? { logonId: e.logonId, extension: null } : null);
    this.#finish(call, now, {
      outcome: "abandoned",
      agent,
      releasedBy: "caller",
      // How long the caller let it ring before giving up.
      alertingMs: ringing ? now - ringing.since : 0,
      talkMs: 0,
    });
  }

  #onOverflowed(e: CallOverflowEvent): void {
    const call = this.#follow(e, e.waitMs);
    const now = this.#now();
    this.#finish(call, now, { outcome: e.reason === "closed" ? "closed" : "overflowed", agent: null, releasedBy: null, alertingMs: 0, talkMs: 0 });
    // The call may go on to another service group: its next events there are its next visit.
    this.#overflowed.set(call.callId, { visit: call.visit, endedAt: now });
  }

  #endBySystem(call: CallInProgress): void {
    const now = this.#now();
    const answered = call.answeredAt !== undefined;
    this.#finish(call, now, {
      outcome: answered ? "answered" : "failed",
      agent: call.talking ?? call.ringing ?? null,
      releasedBy: "system",
      alertingMs: answered ? call.alertingMs : call.ringing ? now - call.ringing.since : 0,
      talkMs: answered ? call.earlierTalkMs + (call.talking ? now - call.talking.since : 0) : 0,
    });
  }

  #forgetOldOverflows(now: number): void {
    for (const [callId, overflow] of this.#overflowed) {
      if (now - overflow.endedAt < OVERFLOW_MEMORY_MS) break; // insertion order is time order
      this.#overflowed.delete(callId);
    }
  }

  #finish(call: CallInProgress, endedAt: number, end: CallEnd): void {
    this.#calls.delete(call.callId);
    const record: NewCallDetail = {
      tenantId: this.#tenantId,
      callId: call.callId,
      visit: call.visit,
      serviceAccess: call.serviceAccess,
      serviceGroup: call.serviceGroup,
      dialedNumber: call.dialedNumber,
      callerNumber: call.callerNumber,
      callerName: call.callerName,
      arrivedAt: new Date(call.arrivedAt),
      answeredAt: call.answeredAt === undefined ? null : new Date(call.answeredAt),
      endedAt: new Date(endedAt),
      outcome: end.outcome,
      logonId: end.agent?.logonId ?? null,
      extension: end.agent?.extension ? clip(end.agent.extension, CALL_DETAIL_WIDTHS.extension) : null,
      waitMs: Math.max(0, Math.round((call.answeredAt ?? endedAt) - call.arrivedAt)),
      alertingMs: Math.max(0, Math.round(end.alertingMs)),
      talkMs: Math.max(0, Math.round(end.talkMs)),
      clericalMs: null,
      offers: call.offers,
      releasedBy: end.releasedBy,
    };
    const stored = this.#writer.persist(
      "insert",
      record.callId,
      async () => {
        if (!(await this.#repository.insert(record))) {
          this.#logger.warn({ callId: record.callId, visit: record.visit }, "a call detail record for this call and visit was already stored; kept the first");
        }
      },
      record,
    );
    if (end.outcome === "answered" && record.logonId !== null) {
      this.#lastCallOf.set(record.logonId, { callId: record.callId, endedAt, stored });
    }
  }

  // ── clerical time ───────────────────────────────────────────────────────────────────────────────────────────

  #onAgentStateChanged(e: AgentStateChangedEvent): void {
    const now = this.#now();
    if (e.from === "clerical" && e.to !== "clerical") {
      const since = this.#clericalSince.get(e.logonId);
      this.#clericalSince.delete(e.logonId);
      const last = this.#lastCallOf.get(e.logonId);
      // Clerical time belongs to a service group call only if that call ended around when clerical began (the
      // call.cleared event and the state change may come in either order).
      if (since !== undefined && last && last.endedAt >= since - CLERICAL_FOLLOWS_CALL_MS) {
        this.#lastCallOf.delete(e.logonId);
        const clericalMs = Math.max(0, Math.round(now - since));
        this.#writer.track(
          last.stored.then((stored) =>
            stored ? this.#writer.persist("clerical", last.callId, () => this.#repository.setClerical(this.#tenantId, last.callId, clericalMs)) : false,
          ),
        );
      }
    }
    if (e.to === "clerical" && e.from !== "clerical") this.#clericalSince.set(e.logonId, now);
    if (e.to === "loggedOff") {
      this.#clericalSince.delete(e.logonId);
      this.#lastCallOf.delete(e.logonId);
    }
  }
}
