// Call detail records of calls agents make (MakeCall, cti/calls/make-call.ts): the recorder follows each call's
// events by call id and writes one agent_call_detail row when it ends.
//
//   call.initiated ─► call.originated ─► call.connected ─► call.ended ─► row (outcome answered)
//   (agent's phone     (agent answered,   (destination                  │
//    rings)             destination        answered)                    │
//                       dialed)                                         │
//   call.ended before call.connected ─► row: outcome = why it did not connect (noAnswer, busy, declined, failed,
//                                       cancelled; an agent hanging up while the destination rings is cancelled)
//
// Times come from one clock (the recorder's), so setup_ms = answered_at − initiated_at and talk_ms = ended_at −
// answered_at hold in every row. Listeners never throw into the bus; writes go through record-writer.ts (logged,
// retried once, never rejected).
import type { AgentCallConnectedEvent, AgentCallEndedEvent, AgentCallEventBase, AgentCallOriginatedEvent, EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";
import { AGENT_CALL_DETAIL_WIDTHS, type AgentCallDetailRepository, type AgentCallOutcome, type NewAgentCallDetail } from "../store/agent-call-detail-repository.js";
import { RecordWriter } from "./record-writer.js";
import { BusSubscriptions } from "../events/bus-subscriptions.js";

export interface AgentCallRecorderOptions {
  bus: EventBus;
  /** `store.agentCallDetails`. */
  agentCallDetails: AgentCallDetailRepository;
  /** The configuration's tenant (system.tenantId). */
  tenantId: number;
  logger: Logger;
  /** Pause before the one retry of a failed write. Default 1 s. */
  retryDelayMs?: number;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. Default Date.now. */
  now?: () => number;
}

type Stage = AgentCallEndedEvent["stage"];

/** One call an agent is making, while it lasts. */
interface AgentCallInProgress {
  base: AgentCallEventBase;
  stage: Stage;
  initiatedAt: number;
  dialed: string | null;
  answeredAt: number | undefined;
}

function clip(value: string, width: number): string {
  return value.length > width ? value.slice(0, width) : value;
}

/** A call that connected was answered, however it ended; one that did not says why. */
function outcomeOf(e: AgentCallEndedEvent): AgentCallOutcome {
  if (e.stage === "connected") return "answered";
  // The agent (or the destination) hanging up before the conversation: the call was given up.
  if (e.reason === "hangUp") return "cancelled";
  return e.reason;
}

export class AgentCallRecorder {
  readonly #repository: AgentCallDetailRepository;
  readonly #tenantId: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #writer: RecordWriter;
  readonly #calls = new Map<string, AgentCallInProgress>();
  readonly #subscriptions: BusSubscriptions;
  #closing: Promise<void> | undefined;

  /** Starts listening at once. */
  constructor(options: AgentCallRecorderOptions) {
    this.#repository = options.agentCallDetails;
    this.#tenantId = options.tenantId;
    this.#logger = options.logger.child({ component: "agentCallCdr" });
    this.#now = options.now ?? Date.now;
    this.#writer = new RecordWriter({ logger: this.#logger, noun: "agent call detail", retryDelayMs: options.retryDelayMs ?? 1000 });
    this.#subscriptions = new BusSubscriptions(options.bus, (err, event) => this.#logger.error({ err, event }, "agent call recorder failed on an event; the call's record may be incomplete"));
    this.#subscriptions.on("call.initiated", (e) => this.#follow(e));
    this.#subscriptions.on("call.originated", (e) => this.#onOriginated(e));
    this.#subscriptions.on("call.connected", (e) => this.#onConnected(e));
    this.#subscriptions.on("call.ended", (e) => this.#onEnded(e));
  }

  /** Calls followed now (not yet written). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Resolves when every write started so far has finished (they never reject). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /**
   * Stops listening, writes the calls still followed as ended by the system in the stage they were in, and waits
   * for every write. Close it after MakeCall has ended its calls, so their real endings are recorded. Idempotent;
   * concurrent calls share one close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#subscriptions.clear();
    const open = [...this.#calls.values()];
    if (open.length > 0) this.#logger.info({ calls: open.length }, "writing agent call detail records of calls still open at close");
    for (const call of open) {
      this.#finish(call, this.#now(), { outcome: call.stage === "connected" ? "answered" : "cancelled", releasedBy: "system", sipStatus: null });
    }
    await this.flush();
  }

  /** The call followed under this id; a first event starts following it. */
  #follow(e: AgentCallEventBase, initiatedAt = this.#now()): AgentCallInProgress {
    const known = this.#calls.get(e.callId);
    if (known) return known;
    const { callId, direction, logonId, extension, callManagerId, destination, callerId, serviceGroup } = e;
    const base: AgentCallEventBase = { callId, direction, logonId, extension, callManagerId, destination };
    if (callerId) base.callerId = { name: callerId.name, callerId: callerId.callerId };
    if (serviceGroup !== undefined) base.serviceGroup = serviceGroup;
    const call: AgentCallInProgress = { base, stage: "agentRinging", initiatedAt, dialed: null, answeredAt: undefined };
    this.#calls.set(callId, call);
    return call;
  }

  #onOriginated(e: AgentCallOriginatedEvent): void {
    const call = this.#follow(e);
    call.stage = "dialing";
    call.dialed = e.dialed;
  }

  #onConnected(e: AgentCallConnectedEvent): void {
    const now = this.#now();
    // Started mid-call: the event's setup time tells when the call began.
    const call = this.#follow(e, now - Math.max(0, e.setupMs));
    call.stage = "connected";
    call.answeredAt ??= now;
  }

  #onEnded(e: AgentCallEndedEvent): void {
    const now = this.#now();
    const known = this.#calls.has(e.callId);
    const call = this.#follow(e, now - Math.max(0, e.talkMs));
    if (!known && e.stage === "connected") call.answeredAt = call.initiatedAt; // only the talk time is known
    call.stage = e.stage;
    this.#finish(call, now, { outcome: outcomeOf(e), releasedBy: e.releasedBy, sipStatus: e.sipStatus ?? null });
  }

  #finish(call: AgentCallInProgress, endedAt: number, end: { outcome: AgentCallOutcome; releasedBy: AgentCallEndedEvent["releasedBy"]; sipStatus: number | null }): void {
    this.#calls.delete(call.base.callId);
    const { base } = call;
    const answered = end.outcome === "answered" && call.answeredAt !== undefined;
    const w = AGENT_CALL_DETAIL_WIDTHS;
    const record: NewAgentCallDetail = {
      tenantId: this.#tenantId,
      callId: base.callId,
      logonId: base.logonId,
      extension: clip(base.extension, w.extension),
      callManagerId: base.callManagerId,
      destination: clip(base.destination, w.destination),
      dialed: call.dialed === null ? null : clip(call.dialed, w.dialed),
      callerId: base.callerId ? { name: clip(base.callerId.name, w.callerIdName), callerId: clip(base.callerId.callerId, w.callerId) } : null,
      serviceGroup: base.serviceGroup === undefined ? null : clip(base.serviceGroup, w.serviceGroup),
      initiatedAt: new Date(call.initiatedAt),
      answeredAt: answered ? new Date(call.answeredAt!) : null,
      endedAt: new Date(endedAt),
      outcome: end.outcome,
      stage: call.stage,
      releasedBy: end.releasedBy,
      sipStatus: end.sipStatus !== null && end.sipStatus >= 100 && end.sipStatus <= 699 ? end.sipStatus : null,
      setupMs: answered ? Math.max(0, Math.round(call.answeredAt! - call.initiatedAt)) : null,
      talkMs: answered ? Math.max(0, Math.round(endedAt - call.answeredAt!)) : 0,
    };
    void this.#writer.persist(
      "insert",
      record.callId,
      async () => {
        if (!(await this.#repository.insert(record))) {
          this.#logger.warn({ callId: record.callId }, "an agent call detail record for this call was already stored; kept the first");
        }
      },
      record,
    );
  }
}
