// MakeCall: an agent's outgoing call, placed by the bridge (Open Interface POST /agents/{logonId}/calls). The
// bridge calls the agent's extension first, through the agent's call manager, with the destination in From so the
// phone shows whom it is about to call; when the agent answers, it calls the destination through the same call
// manager with the caller ID applied as that call manager's type wants it (caller-id.ts), and joins the two legs
// in a media room.
//
//   agentRinging ──agent answers──► dialing ──destination answers──► connected ──either side hangs up──► ended
//        │ ring time (system.ringTimeSupervision),  │ busy / declined / no answer / failed,
//        │ busy, declined, agent logged off         │ agent hangs up (CANCEL to the destination)
//        └──────────────────────────────────────────┴─────────────────────────────────────────────────► ended
//
// The agent:  idleReady | idleNotReady ──► reserved (phone ringing) ──► talking ──call ends──► the idle state it had
// (and its not-ready reason). Busy for the ACD all the while; no clerical time, and an agent who does not answer
// its own call is simply back where it was ("nothing else happens": not forced not ready).
import type { Logger } from "../log.js";
import type { AgentCallEndedEvent, AgentCallEventBase, AgentStateChangedEvent, EventBus } from "../events/event-bus.js";
import type { OutgoingCallEnd, SipStack } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import { MediaRoom } from "../../ivr/media/media-room.js";
import type { ConversationRecording } from "../recording/recording-registry.js";
import type { CallManagerConfig } from "../config/schema.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import type { AgentState } from "../agents/agent-state.js";
import { OwnAgentTransitions } from "../agents/own-agent-transitions.js";
import type { CallView } from "../api/acd-view.js";
import { CtiError, Errors } from "../errors.js";
import { addressDestination, type CallerIdPolicy, type CustomCallerId } from "./caller-id.js";
import { OutboundLeg } from "./outbound-leg.js";

export interface MakeCallRequest {
  logonId: string;
  /** The number to call, sent as given (digits, *, #, +). */
  destination: string;
  /** A custom caller ID by name (callerIds[].name); absent: the default of the call's kind. */
  callerId?: string;
  /** The service group the call is made for; absent: a private call. */
  serviceGroup?: string;
}

export interface MakeCallOptions {
  agents: AgentRegistry;
  sip: SipStack;
  media: MediaServer;
  callManagers: readonly CallManagerConfig[];
  callerIds: CallerIdPolicy;
  /** How long the agent's phone may ring before the call is given up (system.ringTimeSupervision). */
  agentRingTime: number;
  /** How long the destination may ring before the bridge gives up (default 60 s). */
  destinationRingTime?: number;
  bus: EventBus;
  /** Gives each connected call its recording URI (call.connected); without it, none. */
  recording?: ConversationRecording;
  logger: Logger;
}

export type AgentCallStage = "agentRinging" | "dialing" | "connected" | "ended";
type EndReason = AgentCallEndedEvent["reason"];
type ReleasedBy = AgentCallEndedEvent["releasedBy"];
type IdleState = Extract<AgentState, "idleReady" | "idleNotReady">;

const DEFAULT_DESTINATION_RING_MS = 60_000;

/** One call an agent makes, from the INVITE to the agent's phone until both legs are gone. */
class AgentMadeCall {
  readonly base: AgentCallEventBase;
  readonly agentLeg: OutboundLeg;
  readonly startedAt = Date.now();
  readonly presented: string;
  readonly dialed: string;
  stage: AgentCallStage = "agentRinging";
  destinationLeg: OutboundLeg | undefined;
  room: MediaRoom | undefined;
  timer: NodeJS.Timeout | undefined;
  connectedAt: number | undefined;

  constructor(base: AgentCallEventBase, agentLeg: OutboundLeg, address: { target: string; from: string }) {
    this.base = base;
    this.agentLeg = agentLeg;
    this.dialed = address.target;
    this.presented = address.from;
  }

  view(now: number): CallView {
    return {
      callId: this.base.callId,
      direction: "outbound",
      dialed: this.base.destination,
      caller: { number: this.presented },
      serviceAccess: "",
      serviceGroup: this.base.serviceGroup ?? "",
      state: this.stage === "agentRinging" ? "ringing" : this.stage === "dialing" ? "dialing" : "talking",
      logonId: this.base.logonId,
      extension: this.base.extension,
      arrivedAt: new Date(this.startedAt).toISOString(),
      ...(this.connectedAt !== undefined ? { answeredAt: new Date(this.connectedAt).toISOString() } : {}),
      waitMs: (this.connectedAt ?? now) - this.startedAt,
    };
  }
}

export class MakeCallService {
  readonly #o: MakeCallOptions;
  readonly #log: Logger;
  readonly #callManagers = new Map<string, CallManagerConfig>();
  readonly #calls = new Map<string, AgentMadeCall>();
  /** The idle state (and not-ready reason) each agent with a call had, to return it there afterwards. */
  readonly #before = new Map<string, { state: IdleState; reason: string | undefined; loggedOnAt: Date }>();
  /** Logon IDs whose state this service is changing right now (its own changes are not someone else's). */
  readonly #own: OwnAgentTransitions;
  readonly #onAgentState = (e: AgentStateChangedEvent): void => this.#agentStateChanged(e);
  #closed = false;

  constructor(options: MakeCallOptions) {
    this.#o = options;
    this.#own = new OwnAgentTransitions(options.agents);
    this.#log = options.logger.child({ component: "makeCall" });
    for (const cm of options.callManagers) this.#callManagers.set(cm.id, cm);
    options.bus.on("agent.stateChanged", this.#onAgentState);
  }

  /**
   * Starts the call: the agent is reserved and its phone rings; resolves with the call's view once the INVITE is
   * out. Throws AGENT_NOT_LOGGED_ON, AGENT_STATE (not idle), SERVICE_GROUP_UNKNOWN, CALLER_ID_UNKNOWN,
   * CALLER_ID_NOT_ALLOWED, MEDIA_PORTS_EXHAUSTED, SIP_TRANSPORT; nothing changes when it throws.
   */
  async makeCall(request: MakeCallRequest): Promise<CallView> {
    if (this.#closed) throw new CtiError(Errors.SIP_TRANSPORT, "the bridge is stopping");
    const agent = this.#o.agents.get(request.logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, request.logonId);
    if (agent.state !== "idleReady" && agent.state !== "idleNotReady") {
      throw new CtiError(Errors.AGENT_STATE, `agent ${agent.logonId} is ${agent.state}: only an idle agent can make a call`);
    }
    const callerId = this.#o.callerIds.choose(request);
    const callManager = this.#callManagers.get(agent.callManagerId);
    if (!callManager) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, agent.callManagerId);
    const address = addressDestination(callManager.type, request.destination, agent.extension, callerId);

    // Reserved before the first await, so no ACD offer and no second MakeCall can take the agent meanwhile.
    this.#before.set(agent.logonId, { state: agent.state, reason: agent.notReadyReason, loggedOnAt: agent.loggedOnAt });
    this.#own.transition(agent.logonId, "reserved");
    let agentLeg: OutboundLeg;
    try {
      agentLeg = await OutboundLeg.dial({
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: agent.callManagerId,
        target: agent.extension,
        from: { number: request.destination },
        logger: this.#log,
      });
    } catch (e) {
      this.#returnAgent(agent.logonId);
      throw e;
    }
    const base: AgentCallEventBase = {
      callId: agentLeg.callId,
      direction: "outbound",
      logonId: agent.logonId,
      extension: agent.extension,
      callManagerId: agent.callManagerId,
      destination: request.destination,
      ...(callerId ? { callerId: { name: callerId.name, callerId: callerId.callerId } } : {}),
      ...(request.serviceGroup !== undefined ? { serviceGroup: request.serviceGroup } : {}),
    };
    const call = new AgentMadeCall(base, agentLeg, address);
    this.#calls.set(call.base.callId, call);
    this.#log.info({ callId: base.callId, logonId: agent.logonId, destination: request.destination, callerId: callerId?.name, dialed: address.target, presented: address.from }, "agent call: ringing the agent");
    this.#o.bus.safeEmit("call.initiated", { ...base });

    call.timer = setTimeout(() => this.#finish(call, "system", "noAnswer"), this.#o.agentRingTime);
    call.timer.unref();
    agentLeg.once("answered", () => this.#agentAnswered(call, callManager, callerId));
    agentLeg.once("ended", (reason, status) => {
      if (call.stage === "agentRinging") this.#finish(call, releasedBy(reason, "agent"), failureOf(reason, status), status);
      else this.#finish(call, releasedBy(reason, "agent"), "hangUp");
    });
    // The agent may already have been logged off while the port was opened.
    if (this.#o.agents.get(agent.logonId)?.state !== "reserved") this.#finish(call, "system", "cancelled");
    return call.view(Date.now());
  }

  /** Every call agents are making, oldest first. */
  calls(): CallView[] {
    const now = Date.now();
    return [...this.#calls.values()].map((c) => c.view(now)).sort((a, b) => a.arrivedAt.localeCompare(b.arrivedAt));
  }

  /** The media room of an agent's connected call (for recorders), if it has one. */
  roomOf(logonId: string): MediaRoom | undefined {
    for (const call of this.#calls.values()) if (call.base.logonId === logonId && call.room) return call.room;
    return undefined;
  }

  /** Stops listening and timers; the legs themselves end with the SIP stack. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.bus.off("agent.stateChanged", this.#onAgentState);
    for (const call of this.#calls.values()) clearTimeout(call.timer);
  }

  #agentAnswered(call: AgentMadeCall, callManager: CallManagerConfig, callerId: CustomCallerId | undefined): void {
    if (call.stage !== "agentRinging") return;
    clearTimeout(call.timer);
    call.stage = "dialing";
    if (this.#o.agents.get(call.base.logonId)?.state === "reserved") this.#own.transition(call.base.logonId, "talking");
    void this.#dialDestination(call, callManager, callerId);
  }

  async #dialDestination(call: AgentMadeCall, callManager: CallManagerConfig, callerId: CustomCallerId | undefined): Promise<void> {
    let leg: OutboundLeg;
    try {
      leg = await OutboundLeg.dial({
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: callManager.id,
        target: call.dialed,
        from: { number: call.presented },
        ...(call.agentLeg.endpoint.codec ? { preferCodec: call.agentLeg.endpoint.codec } : {}),
        logger: this.#log,
      });
    } catch (e) {
      this.#log.warn({ callId: call.base.callId, err: (e as Error).message }, "agent call: cannot call the destination");
      this.#finish(call, "system", "failed");
      return;
    }
    call.destinationLeg = leg;
    if (call.stage !== "dialing") {
      void leg.hangup(); // the agent hung up while the port was being opened
      return;
    }
    this.#o.bus.safeEmit("call.originated", {
      ...call.base,
      destinationCallId: leg.callId,
      dialed: call.dialed,
      presented: call.presented,
    });
    call.timer = setTimeout(() => this.#finish(call, "system", "noAnswer"), this.#o.destinationRingTime ?? DEFAULT_DESTINATION_RING_MS);
    call.timer.unref();
    leg.once("answered", () => this.#connect(call, leg));
    leg.once("ended", (reason, status) => {
      if (call.stage === "dialing") this.#finish(call, releasedBy(reason, "destination"), failureOf(reason, status), status);
      else this.#finish(call, releasedBy(reason, "destination"), "hangUp");
    });
  }

  #connect(call: AgentMadeCall, leg: OutboundLeg): void {
    if (call.stage !== "dialing") {
      void leg.hangup();
      return;
    }
    clearTimeout(call.timer);
    call.stage = "connected";
    call.connectedAt = Date.now();
    const room = MediaRoom.conversation(this.#log, call.agentLeg.endpoint, leg.endpoint);
    call.room = room;
    this.#o.bus.safeEmit("call.connected", {
      ...call.base,
      destinationCallId: leg.callId,
      recordingUri: this.#o.recording?.register({ room, callId: call.base.callId, logonId: call.base.logonId, extension: call.base.extension }),
      setupMs: call.connectedAt - call.startedAt,
    });
  }

  /** The one way a call ends: both legs hung up, the room closed, the agent back in its idle state. Idempotent. */
  #finish(call: AgentMadeCall, by: ReleasedBy, reason: EndReason, sipStatus?: number): void {
    if (call.stage === "ended") return;
    const stage = call.stage;
    call.stage = "ended";
    clearTimeout(call.timer);
    void call.agentLeg.hangup();
    void call.destinationLeg?.hangup();
    call.room?.close();
    this.#calls.delete(call.base.callId);
    const talkMs = call.connectedAt === undefined ? 0 : Date.now() - call.connectedAt;
    this.#log.info({ callId: call.base.callId, logonId: call.base.logonId, stage, releasedBy: by, reason, sipStatus, talkMs }, "agent call ended");
    this.#o.bus.safeEmit("call.ended", {
      ...call.base,
      stage,
      releasedBy: by,
      reason,
      ...(sipStatus !== undefined ? { sipStatus } : {}),
      talkMs,
    });
    this.#returnAgent(call.base.logonId);
  }

  /** Back to the idle state the agent had, if the agent is still the one this service reserved. */
  #returnAgent(logonId: string): void {
    const before = this.#before.get(logonId);
    this.#before.delete(logonId);
    const agent = this.#o.agents.get(logonId);
    if (!before || !agent || agent.loggedOnAt !== before.loggedOnAt) return;
    if (agent.state !== "reserved" && agent.state !== "talking") return; // changed by someone else meanwhile
    this.#own.transition(logonId, before.state, before.state === "idleNotReady" ? before.reason : undefined);
  }


  /** An agent taken away while its phone rings for its own call (logged off, say): the call is given up. */
  #agentStateChanged(e: AgentStateChangedEvent): void {
    if (e.from !== "reserved" || this.#own.isOwn(e.logonId)) return;
    for (const call of this.#calls.values()) {
      if (call.base.logonId === e.logonId && call.stage === "agentRinging") this.#finish(call, "system", "cancelled");
    }
  }
}

/** Our own BYE or CANCEL that #finish did not send (the SIP stack stopping) counts as the bridge's. */
function releasedBy(reason: OutgoingCallEnd, side: "agent" | "destination"): ReleasedBy {
  return reason === "localBye" || reason === "cancelled" ? "system" : side;
}

function failureOf(reason: OutgoingCallEnd, status: number | undefined): EndReason {
  if (reason === "localBye" || reason === "cancelled") return "cancelled";
  if (status === 486 || status === 600) return "busy";
  if (status === 603 || status === 480) return "declined";
  if (status === 408) return "noAnswer";
  return "failed";
}
