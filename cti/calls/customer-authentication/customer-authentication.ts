// Customer authentication divert-and-return (manual: "Using Customer Authentication", "... with Phone Agents").
// An agent talking to a caller sends the caller to the authentication number (a transfer from the phone, the DTMF
// feature code, or DeflectPhoneAgentCall): the agent leg is released (BYE) and the agent stays reserved — a phone
// agent stays in Talking, so the ACD offers it nothing — while the caller, still anchored in the bridge's media,
// runs the number's script with the agent's extension as the private data. The script's `deflect` block returns
// the caller to that agent with the associated data; the reserve timer, a returned call nobody answers, the caller
// hanging up or the agent logging off end the reservation instead (the agent's after-call work as after any
// call; the script's failure branch).
//
//   talking ──divert──► authenticating (Diverted, Parked, Call Deflected to other Destination; reserve timer)
//                          │ deflect: INVITE to the agent with X-CTI-Associated-Data (Delivered)
//                          ▼ answered
//                       talking again (Established with associatedData), one call for the CDR
import type { Logger } from "../../log.js";
import type { EventBus, AgentStateChangedEvent } from "../../events/event-bus.js";
import type { SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import type { AgentRegistry } from "../../agents/agent-registry.js";
import type { ServiceGroupConfig } from "../../config/schema.js";
import { CtiError, Errors } from "../../errors.js";
import { HEADERS_COPIED_TO_PHONES } from "../../sip/cti-headers.js";
import { MediaRoom } from "../../../ivr/media/media-room.js";
import type { CallHandOff, DeflectRequest, HandOffResult } from "../../../ivr/call-hand-off.js";
import type { CallProfile } from "../../../ivr/blocks/call-profile.js";
import { runIvrScript, type IvrCallDependencies } from "../ivr-call.js";
import { OutboundLeg } from "../outbound-leg.js";
import type { ServiceGroupCall } from "../service-group-call.js";
import { AgentReservation } from "./agent-reservation.js";
import type { CustomerAuthenticationConfig } from "./customer-authentication-config.js";
import { watchFeatureCode } from "./feature-code-detector.js";

export type DivertVia = "transfer" | "featureCode" | "api";

/** What the reservation needs the call distributor to do: the same endings as any service group call. */
export interface DistributorHooks {
  /** The agent's after-call work (clerical time of the group, else idle); a no-op unless the agent is talking. */
  afterCall(logonId: string, group: ServiceGroupConfig, talkMs: number): void;
  /** Either side hung up the conversation of a returned caller. */
  conversationOver(call: ServiceGroupCall, releasedBy: "caller" | "agent"): void;
  /** The recording URI of a conversation (call.established), when recording is on. */
  recordingUri(call: ServiceGroupCall, room: MediaRoom, logonId: string, extension: string): string | undefined;
}

export interface CustomerAuthenticationOptions {
  config: CustomerAuthenticationConfig;
  /** The script of the authentication number's BVD. */
  script: string;
  ivr: IvrCallDependencies;
  sip: SipStack;
  media: MediaServer;
  agents: AgentRegistry;
  /** Ring time supervision of the returned call: the group's (CallDistributor.ringTimeFor). */
  ringTimeFor(group: ServiceGroupConfig): number;
  hooks: DistributorHooks;
  bus: EventBus;
  logger: Logger;
}

/** Longest associated data put in a SIP header (an integration's or a script's; the rest is cut). */
export const MAX_ASSOCIATED_DATA = 1024;

export class CustomerAuthentication {
  readonly #o: CustomerAuthenticationOptions;
  readonly #log: Logger;
  readonly #byCall = new Map<string, AgentReservation>();
  readonly #byAgent = new Map<string, AgentReservation>();
  readonly #featureCodeWatches = new Map<string, { stop(): void }>();
  readonly #onAgentState = (e: AgentStateChangedEvent): void => {
    if (e.to === "loggedOff") {
      const r = this.#byAgent.get(e.logonId);
      if (r) this.#release(r, "system", "the agent logged off");
    }
  };
  #closed = false;

  constructor(options: CustomerAuthenticationOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "customer-authentication" });
    options.bus.on("agent.stateChanged", this.#onAgentState);
  }

  get number(): string {
    return this.#o.config.number;
  }

  /** The reservation of a diverted call, while the agent waits for its caller. */
  reservationOf(callId: string): AgentReservation | undefined {
    return this.#byCall.get(callId);
  }

  /**
   * Sends the caller of a conversation to the authentication script; the agent leg is released, the agent stays
   * reserved. Throws CALL_NOT_IN_CONVERSATION unless the call is talking to an agent, SCRIPT_INVALID if the
   * number's script is not loaded.
   */
  divert(call: ServiceGroupCall, via: DivertVia): void {
    const offered = call.offer;
    if (this.#closed || call.state !== "talking" || !offered?.leg) throw new CtiError(Errors.CALL_NOT_IN_CONVERSATION, call.callId);
    const script = this.#o.ivr.scripts.get(this.#o.script);
    if (!script) throw new CtiError(Errors.SCRIPT_INVALID, `script ${this.#o.script} is not loaded`);
    const { agent } = offered;
    // The agent leg's end is ours now, not the distributor's: no "conversation over", no failed offer.
    offered.abandoned = true;
    call.state = "authenticating";
    call.associatedData = undefined;
    call.room?.close();
    call.room = undefined;
    this.#featureCodeWatches.get(call.callId)?.stop();
    void offered.leg.hangup();

    const r = new AgentReservation(call, agent.logonId, agent.extension, call.group);
    this.#byCall.set(call.callId, r);
    this.#byAgent.set(agent.logonId, r);
    // localBye: the script ended the call (e.g. its failure branch); anything else is the caller's doing.
    const onCallerEnded = (reason: string): void =>
      reason === "localBye" ? this.#release(r, "system", "the authentication script ended the call") : this.#release(r, "caller", "the caller hung up");
    call.caller.on("ended", onCallerEnded);
    r.detach = () => call.caller.off("ended", onCallerEnded);
    const { config } = this.#o;
    r.reserveTimer = setTimeout(() => this.#reserveTimeout(r), config.reserveTimeout);
    r.reserveTimer.unref();

    this.#log.info({ callId: call.callId, logonId: agent.logonId, extension: agent.extension, via, number: config.number }, "caller diverted to customer authentication; agent reserved");
    const diverted = { ...call.eventBase, logonId: agent.logonId, extension: agent.extension, newDestination: config.number, via };
    this.#o.bus.safeEmit("call.diverted", diverted);
    this.#o.bus.safeEmit("call.parked", diverted);
    this.#o.bus.safeEmit("call.deflected", diverted);

    const facts = {
      // The manual's @@MediaLib.PrivateData: the agent's extension when "Send DN from Agent" is on.
      PRIVATE_DATA: config.sendDnFromAgent ? agent.extension : "",
      AUTH_NUMBER: config.number,
      AUTH_AGENT_LOGON_ID: agent.logonId,
      SERVICE_GROUP: call.group.id,
      SERVICE_ACCESS: call.access.id,
      ...(config.sendDnFromAgent ? { AUTH_AGENT_EXTENSION: agent.extension } : {}),
    };
    const handOff = this.#handOff(r);
    void runIvrScript(call.caller, call.endpoint, script, this.#o.ivr, facts, { handOff }).then((outcome) => {
      this.#log.debug({ callId: call.callId, outcome }, "authentication script finished");
    });
  }

  /** SetAgentIVRData: associated data for the caller the agent waits for. Throws AGENT_NOT_WAITING_FOR_CALLER. */
  setAgentIvrData(logonId: string, data: string): { callId: string } {
    const r = this.#byAgent.get(logonId);
    if (!r || !r.active) throw new CtiError(Errors.AGENT_NOT_WAITING_FOR_CALLER, logonId);
    r.integrationData = cleanAssociatedData(data);
    return { callId: r.call.callId };
  }

  /** Watches the agent leg of a conversation for the feature code (when one is configured). */
  watchFeatureCode(call: ServiceGroupCall, leg: OutboundLeg): void {
    const code = this.#o.config.featureCode;
    if (!code || this.#closed) return;
    this.#featureCodeWatches.get(call.callId)?.stop();
    const watch = watchFeatureCode(leg.endpoint, code, () => {
      this.#featureCodeWatches.delete(call.callId);
      if (call.state !== "talking" || call.offer?.leg !== leg) return;
      try {
        this.divert(call, "featureCode");
      } catch (e) {
        this.#log.warn({ callId: call.callId, err: (e as Error).message }, "feature code: the caller cannot be diverted");
      }
    });
    this.#featureCodeWatches.set(call.callId, watch);
    leg.once("ended", () => {
      watch.stop();
      if (this.#featureCodeWatches.get(call.callId) === watch) this.#featureCodeWatches.delete(call.callId);
    });
  }

  /** Stops timers; agents stay as they are (the daemon is stopping and every call ends). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.bus.off("agent.stateChanged", this.#onAgentState);
    for (const w of this.#featureCodeWatches.values()) w.stop();
    this.#featureCodeWatches.clear();
    for (const r of this.#byCall.values()) {
      clearTimeout(r.reserveTimer);
      clearTimeout(r.ringTimer);
      r.finishDeflect("failure");
    }
  }

  // ── the caller's way back ───────────────────────────────────────────────────────────────────────────────────

  #handOff(r: AgentReservation): CallHandOff {
    const notHere = async (): Promise<HandOffResult> => {
      this.#log.warn({ callId: r.call.callId }, "an authentication script returns the caller with deflect; divert and queue are not available here");
      return "failure";
    };
    return { deflect: (request) => this.#deflect(r, request), divert: notHere, queue: notHere };
  }

  async #deflect(r: AgentReservation, request: DeflectRequest): Promise<HandOffResult> {
    const log = this.#log.child({ callId: r.call.callId, logonId: r.logonId });
    if (r.state !== "waiting") {
      log.info({ state: r.state }, "deflect: the agent is no longer reserved for this caller; failure branch");
      return "failure";
    }
    const agent = this.#o.agents.get(r.logonId);
    if (!agent || agent.state !== "talking") {
      this.#release(r, "system", "the agent is no longer available");
      return "failure";
    }
    if (request.destination !== agent.extension) {
      log.warn({ destination: request.destination, extension: agent.extension }, "deflect: the destination is not the reserved agent's extension; failure branch");
      return "failure";
    }
    const data = request.associatedData !== "" ? cleanAssociatedData(request.associatedData) : r.integrationData;
    r.state = "returning";
    const call = r.call;
    let leg: OutboundLeg;
    try {
      leg = await OutboundLeg.dial({
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: agent.callManagerId,
        target: agent.extension,
        from: call.eventBase.caller,
        headers: { ...call.outboundHeaders, ...returnHeaders(data, request.profile) },
        ...(call.endpoint.codec ? { preferCodec: call.endpoint.codec } : {}),
        logger: this.#log,
      });
    } catch (e) {
      log.warn({ err: (e as Error).message }, "deflect: cannot call the agent; failure branch");
      if (r.state === "returning") r.state = "waiting";
      return "failure";
    }
    if (r.state !== "returning") {
      void leg.hangup();
      return "failure";
    }
    r.returning = leg;
    // The caller hears the group's music while the agent's phone rings, as while queueing (silence sounds dropped).
    const music = r.group.music;
    if (music) {
      call.endpoint
        .play([this.#o.ivr.prompts.resolve(music, this.#o.ivr.language)], { loop: true })
        .catch((e: unknown) => log.warn({ err: (e as Error).message }, "music while the agent rings failed; the caller hears silence"));
    }
    const offeredAt = Date.now();
    this.#o.bus.safeEmit("call.delivered", {
      ...call.eventBase,
      logonId: agent.logonId,
      extension: agent.extension,
      callManagerId: agent.callManagerId,
      agentCallId: leg.callId,
      ...(data !== undefined ? { associatedData: data } : {}),
    });
    const ringTime = this.#o.ringTimeFor(r.group);
    const result = new Promise<HandOffResult>((resolve) => (r.settle = resolve));
    r.ringTimer = setTimeout(() => this.#returnFailed(r, leg, "noAnswer", undefined), ringTime);
    r.ringTimer.unref();
    leg.once("answered", () => this.#returned(r, leg, data, offeredAt));
    leg.once("ended", (reason, status) => {
      if (r.state === "returning" && r.returning === leg) this.#returnFailed(r, leg, failureOf(reason, status), status);
    });
    return result;
  }

  /** The agent answered: the conversation is the distributor's again, as if the caller had never left. */
  #returned(r: AgentReservation, leg: OutboundLeg, data: string | undefined, offeredAt: number): void {
    if (r.state !== "returning" || r.returning !== leg) {
      void leg.hangup();
      return;
    }
    this.#end(r, "returned");
    const call = r.call;
    const agent = this.#o.agents.get(r.logonId);
    call.offer = { agent: agent!, leg, ringTimer: undefined, offeredAt, abandoned: false };
    call.associatedData = data;
    call.state = "talking";
    call.endpoint.stopPlayback(); // the ringing music: nothing is relayed to an endpoint while it plays
    const room = MediaRoom.conversation(this.#log, call.endpoint, leg.endpoint);
    call.room = room;
    leg.once("ended", () => this.#o.hooks.conversationOver(call, "agent"));
    this.#log.info({ callId: call.callId, logonId: r.logonId, associatedData: data !== undefined }, "caller returned from customer authentication");
    this.#o.bus.safeEmit("call.established", {
      ...call.eventBase,
      logonId: r.logonId,
      extension: r.extension,
      agentCallId: leg.callId,
      recordingUri: this.#o.hooks.recordingUri(call, room, r.logonId, r.extension),
      waitMs: (call.answeredAt ?? Date.now()) - call.arrivedAt,
      ...(data !== undefined ? { associatedData: data } : {}),
    });
    this.watchFeatureCode(call, leg);
    r.finishDeflect("ok");
  }

  /** The returned call was not answered (ring time, busy, declined): treated as a disconnected call. */
  #returnFailed(r: AgentReservation, leg: OutboundLeg, reason: "noAnswer" | "busy" | "declined" | "failed", status: number | undefined): void {
    if (r.state !== "returning" || r.returning !== leg) return;
    r.call.endpoint.stopPlayback(); // the script goes on (its failure branch) without the ringing music
    this.#o.bus.safeEmit("call.offerFailed", {
      ...r.call.eventBase,
      logonId: r.logonId,
      extension: r.extension,
      reason,
      ...(status !== undefined ? { sipStatus: status } : {}),
    });
    this.#release(r, "system", `the returned call was not answered (${reason})`);
  }

  #reserveTimeout(r: AgentReservation): void {
    if (!r.active) return;
    const reserveSeconds = Math.round(this.#o.config.reserveTimeout / 1000);
    this.#o.bus.safeEmit("customerAuth.reserveTimeout", { logonId: r.logonId, extension: r.extension, callId: r.call.callId, script: this.#o.script, reserveSeconds });
    this.#release(r, "system", "the caller did not return within the maximum time to reserve the agent");
  }

  /**
   * The agent is free of this caller: the call is cleared for the service group (one record), the agent does the
   * group's after-call work (clerical when the group has clerical time, else idle), a waiting deflect fails.
   */
  #release(r: AgentReservation, releasedBy: "caller" | "system", why: string): void {
    if (!r.active) return;
    void r.returning?.hangup();
    this.#end(r, "released");
    const call = r.call;
    if (call.offer?.agent.logonId === r.logonId) call.offer = undefined;
    const talkMs = Date.now() - (call.answeredAt ?? r.divertedAt);
    this.#log.info({ callId: call.callId, logonId: r.logonId, releasedBy, why }, "agent released from customer authentication");
    this.#o.bus.safeEmit("call.cleared", { ...call.eventBase, logonId: r.logonId, extension: r.extension, releasedBy, talkMs });
    this.#o.hooks.afterCall(r.logonId, r.group, talkMs);
    r.finishDeflect("failure");
  }

  #end(r: AgentReservation, state: "returned" | "released"): void {
    r.state = state;
    clearTimeout(r.reserveTimer);
    clearTimeout(r.ringTimer);
    r.returning = undefined;
    r.detach();
    if (this.#byCall.get(r.call.callId) === r) this.#byCall.delete(r.call.callId);
    if (this.#byAgent.get(r.logonId) === r) this.#byAgent.delete(r.logonId);
  }
}

/** One line of printable text, at most MAX_ASSOCIATED_DATA characters: it goes into a SIP header. */
export function cleanAssociatedData(data: string): string {
  return data.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, MAX_ASSOCIATED_DATA);
}

/** The associated data and the call profile as headers of the INVITE returning the caller to the agent. */
function returnHeaders(data: string | undefined, profile: CallProfile): Record<string, string> {
  const headers: Record<string, string> = {};
  if (data !== undefined && data !== "") headers[HEADERS_COPIED_TO_PHONES.associatedData] = data;
  const fields = profile.entries().map(([field, value]) => `${encodeURIComponent(field)}=${encodeURIComponent(value)}`);
  if (fields.length > 0) headers[HEADERS_COPIED_TO_PHONES.callProfile] = fields.join(";");
  return headers;
}

function failureOf(reason: string, status: number | undefined): "busy" | "declined" | "failed" {
  if (status === 486 || status === 600) return "busy";
  if (status === 603 || status === 480) return "declined";
  return reason === "rejected" ? "declined" : "failed";
}
