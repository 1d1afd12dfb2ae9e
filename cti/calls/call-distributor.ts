// The automatic call distributor: callers to a service access wait in their service group's queue and are offered
// to agents; the decisions (who is next, which agent) are the ACD core's, this class carries them out with SIP and
// media and keeps agents' states in step.
//
// Agent side:  idleReady ──offer──► reserved ──answer──► talking ──call ends──► clerical (group's time) ──► idleReady
//                                      │ no answer / busy / declined: CANCEL, forced idleNotReady, call requeued
//                                      │ caller hangs up while ringing: CANCEL at once, idleReady again
// Every state change the distributor makes goes through the agent registry, so the bus and the API see it; an agent
// becoming idleReady (by anyone) is offered the oldest waiting call at once.
import type { Logger } from "../log.js";
import type { EventBus, AgentStateChangedEvent, CallTransferredEvent } from "../events/event-bus.js";
import type { IncomingCall, IncomingRefer, SipStack } from "../sip/index.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { Agent } from "../agents/agent.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { MediaRoom } from "../../ivr/media/media-room.js";
import type { ServiceAccessConfig, ServiceGroupConfig, DestinationConfig } from "../config/schema.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import type { PhoneAgentService } from "../agents/phone-agent-service.js";
import type { AgentState } from "../agents/agent-state.js";
import { OwnAgentTransitions } from "../agents/own-agent-transitions.js";
import { CtiError, Errors } from "../errors.js";
import { AcdDispatcher } from "../acd/acd-dispatcher.js";
import type { Offer } from "../acd/offer.js";
import type { UnavailableState } from "../acd/acd-agent.js";
import { WaitEstimator } from "../acd/wait-estimator.js";
import { answerWithMedia } from "./answer-call.js";
import { runIvrScript, type IvrCallDependencies } from "./ivr-call.js";
import { OutboundLeg } from "./outbound-leg.js";
import { connectCaller } from "./caller-connection.js";
import { QueueTreatment } from "./queue-treatment.js";
import { ServiceGroupCall, agentLeg, type AgentLeg } from "./service-group-call.js";
import type { AcdView, CallView, ServiceGroupView } from "../api/acd-view.js";
import type { ConversationRecording } from "../recording/recording-registry.js";
import type { PersonalCallHook, PersonalOffer, PersonalOfferOutcome } from "./personal-routing/personal-call-hook.js";
import { CustomerAuthentication, type DivertVia } from "./customer-authentication/customer-authentication.js";
import type { CustomerAuthenticationConfig } from "./customer-authentication/customer-authentication-config.js";

export interface CallDistributorOptions {
  serviceGroups: readonly ServiceGroupConfig[];
  serviceAccesses: readonly ServiceAccessConfig[];
  /** System ring time supervision, for groups without their own. */
  ringTimeSupervision: number;
  language: string;
  agents: AgentRegistry;
  phoneAgents: PhoneAgentService;
  sip: SipStack;
  media: MediaServer;
  prompts: PromptLibrary;
  /** For overflow / closed destinations that are scripts. */
  ivr: IvrCallDependencies;
  /** Call manager for overflow numbers when the caller's is not known. */
  defaultCallManagerId: string;
  bus: EventBus;
  logger: Logger;
  /** Gives each conversation its recording URI (call.established); without it, established calls carry none. */
  recording?: ConversationRecording;
  /** Customer authentication divert-and-return, with the script of its number's BVD; absent: not configured. */
  customerAuthentication?: { config: CustomerAuthenticationConfig; script: string };
}

/** How long an overflow number may ring before the caller is given up on. */
const NUMBER_RING_LIMIT_MS = 60_000;
/** A failed offer for want of a media port is retried after this pause (the agent stays ready). */
const PORT_RETRY_MS = 1000;

export class CallDistributor implements AcdView {
  readonly #o: CallDistributorOptions;
  readonly #log: Logger;
  readonly #groups = new Map<string, ServiceGroupConfig>();
  readonly #accesses = new Map<string, ServiceAccessConfig>();
  readonly #calls = new Map<string, ServiceGroupCall>();
  readonly #acd: AcdDispatcher;
  readonly #estimator = new WaitEstimator();
  readonly #clericalTimers = new Map<string, NodeJS.Timeout>();
  /** Logon IDs whose state the distributor is changing right now (its own changes are not "external"). */
  readonly #own: OwnAgentTransitions;
  readonly #onAgentState = (e: AgentStateChangedEvent): void => this.#agentStateChanged(e);
  readonly #auth: CustomerAuthentication | undefined;
  #closed = false;
  /** Personal call routing (cti/calls/personal-routing/): groups with personalCalls hand their calls to it. */
  #personal: PersonalCallHook | undefined;

  constructor(options: CallDistributorOptions) {
    this.#o = options;
    this.#own = new OwnAgentTransitions(options.agents);
    this.#log = options.logger.child({ component: "acd" });
    for (const g of options.serviceGroups) this.#groups.set(g.id, g);
    for (const a of options.serviceAccesses) this.#accesses.set(a.id, a);
    this.#acd = new AcdDispatcher(
      options.serviceGroups.map((g) => ({
        id: g.id,
        openWhen: g.openWhen,
        members: g.agents === "*" ? "*" : g.agents.map((a) => ({ logonId: a.logonId, level: a.level })),
      })),
    );
    // Agents already logged on (restored before the distributor started) are known at once.
    for (const agent of options.agents.all()) {
      this.#acd.agentLoggedOn({ logonId: agent.logonId, groups: [] }, unavailableState(agent.state));
      if (agent.state === "idleReady") this.#acd.agentAvailable(agent.logonId, agent.stateSince.getTime());
    }
    options.bus.on("agent.stateChanged", this.#onAgentState);
    const auth = options.customerAuthentication;
    this.#auth = auth && new CustomerAuthentication({
      ...auth, ivr: options.ivr, sip: options.sip, media: options.media, agents: options.agents, ringTimeFor: (group) => this.ringTimeFor(group),
      bus: options.bus, logger: options.logger,
      hooks: {
        afterCall: (logonId, group, talkMs) => this.#afterCall(logonId, group, talkMs),
        conversationOver: (sgc, releasedBy) => this.#conversationOver(sgc, releasedBy),
        recordingUri: (sgc, room, logonId, extension) => this.#o.recording?.register({ room, callId: sgc.callId, logonId, extension, serviceGroup: sgc.group.id }),
      },
    });
  }

  /**
   * Customer authentication: the caller of a conversation goes to the configured number's script, the agent leg is
   * released and the agent stays reserved for the caller's return (cti/calls/customer-authentication/). Throws
   * CUSTOMER_AUTH_NOT_CONFIGURED, CALL_NOT_FOUND, CALL_NOT_IN_CONVERSATION.
   */
  async divertToAuthentication(callId: string, via: "transfer" | "featureCode" | "api"): Promise<void> {
    if (!this.#auth) throw new CtiError(Errors.CUSTOMER_AUTH_NOT_CONFIGURED);
    const sgc = this.#calls.get(callId);
    if (!sgc) throw new CtiError(Errors.CALL_NOT_FOUND, callId);
    this.#auth.divert(sgc, via satisfies DivertVia);
  }

  /** The customer authentication number, when configured (a transfer to it is a divert). */
  get authenticationNumber(): string | undefined {
    return this.#auth?.number;
  }

  /** SetAgentIVRData: associated data for the caller the agent waits for. Throws AGENT_NOT_WAITING_FOR_CALLER. */
  setAgentIvrData(logonId: string, data: string): { callId: string } {
    if (!this.#auth) throw new CtiError(Errors.CUSTOMER_AUTH_NOT_CONFIGURED);
    return this.#auth.setAgentIvrData(logonId, data);
  }

  /** Handles a call to a service access until the caller's call is over. Never throws. */
  async handle(call: IncomingCall, serviceAccessId: string): Promise<void> {
    const log = this.#log.child({ callId: call.callId, dialed: call.dialedNumber, caller: call.callerNumber });
    const access = this.#accesses.get(serviceAccessId);
    const group = access ? this.#groups.get(access.serviceGroup) : undefined;
    if (!access || !group || this.#closed) {
      await call.reject(this.#closed ? 503 : 404).catch(() => undefined);
      return;
    }
    const endpoint = await answerWithMedia(call, this.#o.media, log);
    if (!endpoint) return;
    const sgc = new ServiceGroupCall(call, endpoint, access, group);
    this.#calls.set(sgc.callId, sgc);
    call.on("ended", () => this.#callerGone(sgc));
    if (call.state === "ended") this.#callerGone(sgc);
    else if (group.personalCalls && this.#personal) this.#personal.arrived(sgc);
    else this.#enterGroup(sgc, group);
    await sgc.done;
  }

  /**
   * A caller an IVR script hands to a service group (the `queue` block, or `divert` to a service access BVD): already
   * answered, it queues like any caller. Resolves false at once for an unknown group, else true when the call is over.
   */
  async adoptCall(call: IncomingCall, endpoint: MediaEndpoint, serviceGroupId: string, access?: ServiceAccessConfig): Promise<boolean> {
    const group = this.#groups.get(serviceGroupId);
    if (!group || this.#closed || this.#calls.has(call.callId)) return false;
    const sgc = new ServiceGroupCall(call, endpoint, access ?? { id: "ivr", serviceGroup: group.id, priority: 0 }, group);
    this.#calls.set(sgc.callId, sgc);
    call.on("ended", () => this.#callerGone(sgc));
    if (call.state === "ended") this.#callerGone(sgc);
    else this.#enterGroup(sgc, group);
    await sgc.done;
    return true;
  }

  /** The service access of this id, for a script diverting to its BVD. */
  serviceAccess(id: string): ServiceAccessConfig | undefined {
    return this.#accesses.get(id);
  }

  calls(): CallView[] {
    const now = Date.now();
    const views: CallView[] = [];
    for (const sgc of this.#calls.values()) {
      const view = sgc.view(this.#acd.position(sgc.callId), now);
      if (view) views.push(view);
    }
    return views.sort((a, b) => a.arrivedAt.localeCompare(b.arrivedAt));
  }

  serviceGroups(): ServiceGroupView[] {
    const now = Date.now();
    return [...this.#groups.values()].map((g) => {
      const waiting = this.#acd.waiting(g.id);
      return {
        id: g.id,
        name: g.name ?? g.id,
        open: this.#acd.isOpen(g.id),
        waiting,
        longestWaitSeconds: Math.floor(this.#acd.longestWaitMs(g.id, now) / 1000),
        estimatedWaitSeconds: this.#estimatedWait(g.id, waiting + 1),
        agents: this.#agentsByState(g),
      };
    });
  }

  /** Stops timers and treatments; calls themselves end with the SIP stack. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.bus.off("agent.stateChanged", this.#onAgentState);
    this.#auth?.close();
    for (const t of this.#clericalTimers.values()) clearTimeout(t);
    this.#clericalTimers.clear();
    for (const sgc of this.#calls.values()) {
      sgc.treatment?.stop();
      clearTimeout(sgc.maxWaitTimer);
      if (sgc.offer) clearTimeout(sgc.offer.ringTimer);
    }
  }

  // ── queueing ────────────────────────────────────────────────────────────────────────────────────────────────

  #enterGroup(sgc: ServiceGroupCall, group: ServiceGroupConfig): void {
    sgc.group = group;
    if (!this.#acd.isOpen(group.id)) {
      this.#leaveQueue(sgc, "closed", group.closed);
      return;
    }
    sgc.state = "queued";
    sgc.queuedAt = Date.now();
    // Queue order by first arrival: a caller overflowing from another group keeps its age.
    const offer = this.#acd.enqueue({ callId: sgc.callId, groupId: group.id, priority: sgc.access.priority, arrivedAt: sgc.arrivedAt });
    this.#o.bus.safeEmit("call.queued", { ...sgc.eventBase, position: this.#acd.position(sgc.callId) ?? 1, priority: sgc.access.priority, requeued: false });
    this.#startTreatment(sgc);
    if (group.maxWait > 0) {
      sgc.maxWaitTimer = setTimeout(() => this.#maxWaitReached(sgc), group.maxWait);
      sgc.maxWaitTimer.unref();
    }
    if (offer) this.#offer(offer);
  }

  #startTreatment(sgc: ServiceGroupCall, welcome = true): void {
    sgc.treatment?.stop();
    const { prompts, language } = this.#o;
    const group = sgc.group;
    sgc.treatment = new QueueTreatment({
      endpoint: sgc.endpoint,
      settings: { welcomePrompt: welcome ? group.welcomePrompt : undefined, music: group.music, announcement: group.announcement },
      resolve: (name) => prompts.resolve(name, language),
      standing: () => {
        const position = this.#acd.position(sgc.callId);
        return { position, estimatedWaitSeconds: position === undefined ? undefined : this.#estimatedWait(group.id, position) };
      },
      onError: (e) => this.#log.warn({ callId: sgc.callId, err: e.message }, "queue treatment failed; the caller waits in silence"),
    });
    sgc.treatment.start();
  }

  #maxWaitReached(sgc: ServiceGroupCall): void {
    sgc.maxWaitTimer = undefined;
    // While an agent rings the offer is given its chance; a failed offer checks the wait again.
    if (sgc.state !== "queued") return;
    this.#leaveQueue(sgc, "maxWait", sgc.group.overflow!);
  }

  /** The caller leaves the queue for a destination: overflow after the maximum wait, or a closed group. */
  #leaveQueue(sgc: ServiceGroupCall, reason: "maxWait" | "closed", destination: DestinationConfig): void {
    this.#acd.remove(sgc.callId);
    clearTimeout(sgc.maxWaitTimer);
    sgc.treatment?.stop();
    sgc.treatment = undefined;
    this.#o.bus.safeEmit("call.overflowed", { ...sgc.eventBase, reason, destination: describe(destination), waitMs: Date.now() - sgc.arrivedAt });
    if ("serviceGroup" in destination) {
      this.#enterGroup(sgc, this.#groups.get(destination.serviceGroup)!);
      return;
    }
    sgc.state = "routed";
    this.#route(sgc, destination).catch((e: unknown) => {
      this.#log.error({ callId: sgc.callId, err: (e as Error).message }, "routing a caller to its destination failed");
      void sgc.caller.hangup();
    });
  }

  async #route(sgc: ServiceGroupCall, destination: DestinationConfig): Promise<void> {
    const { caller, endpoint } = sgc;
    if ("prompt" in destination) {
      await endpoint.play([this.#o.prompts.resolve(destination.prompt, this.#o.language)]);
      await caller.hangup();
    } else if ("script" in destination) {
      const script = this.#o.ivr.scripts.get(destination.script);
      if (!script) throw new CtiError(Errors.SCRIPT_INVALID, `script ${destination.script} is not loaded`);
      await runIvrScript(caller, endpoint, script, this.#o.ivr, { SERVICE_GROUP: sgc.group.id, SERVICE_ACCESS: sgc.access.id });
      if (caller.state !== "ended") await caller.hangup();
    } else if ("number" in destination) {
      await this.#connectNumber(sgc, destination.number);
    }
  }

  /** Overflow to a number: the bridge calls it with the caller's identity and joins the two legs. */
  async #connectNumber(sgc: ServiceGroupCall, number: string): Promise<void> {
    const connection = connectCaller({
      caller: sgc.caller,
      endpoint: sgc.endpoint,
      sip: this.#o.sip,
      media: this.#o.media,
      callManagerId: sgc.caller.callManagerId ?? this.#o.defaultCallManagerId,
      number,
      from: sgc.eventBase.caller,
      headers: sgc.outboundHeaders,
      ringLimitMs: NUMBER_RING_LIMIT_MS,
      logger: this.#log,
    });
    if (await connection.answered) sgc.room = connection.room;
    await connection.ended;
    if (sgc.caller.state !== "ended") await sgc.caller.hangup();
  }

  // ── offering ────────────────────────────────────────────────────────────────────────────────────────────────

  #offer(offer: Offer): void {
    const sgc = this.#calls.get(offer.callId);
    const agent = this.#o.agents.get(offer.logonId);
    if (!sgc || sgc.state !== "queued" || !agent || agent.state !== "idleReady") {
      // The core's view and ours disagree (a race with a hang-up or a state change): undo and look again.
      this.#log.warn({ callId: offer.callId, logonId: offer.logonId }, "offer skipped: call or agent no longer available");
      if (sgc && sgc.state === "queued") this.#requeue(sgc);
      if (agent && agent.state === "idleReady") this.#agentAvailable(agent.logonId);
      return;
    }
    this.#ring(sgc, agent);
  }

  /** Reserves the agent and rings its phone for the call: how every offer starts. */
  #ring(sgc: ServiceGroupCall, agent: Agent, personal?: PersonalOffer): void {
    const offered: AgentLeg = personal ? { ...agentLeg(agent), personal } : agentLeg(agent);
    this.#own.transition(agent.logonId, "reserved");
    sgc.state = "ringing";
    sgc.offer = offered;
    void this.#dialAgent(sgc, offered);
  }

  async #dialAgent(sgc: ServiceGroupCall, offered: NonNullable<ServiceGroupCall["offer"]>): Promise<void> {
    const { agent } = offered;
    let leg: OutboundLeg;
    try {
      leg = await this.#dial(sgc, agent.callManagerId, agent.extension);
    } catch (e) {
      this.#log.warn({ callId: sgc.callId, logonId: agent.logonId, err: (e as Error).message }, "cannot call the agent");
      if (offered.abandoned) return;
      offered.abandoned = true;
      sgc.offer = undefined;
      if (this.#settlePersonal(sgc, offered, "failed", true)) return;
      // Not the agent's fault: the agent stays ready, the call waits a moment and is offered again.
      this.#acd.remove(sgc.callId); // out of the queue until the retry puts it back at its place
      if (this.#o.agents.get(agent.logonId)?.state === "reserved") this.#own.transition(agent.logonId, "idleReady");
      if (sgc.state === "ringing") {
        sgc.state = "queued";
        setTimeout(() => {
          if (sgc.state !== "queued") return;
          const offer = this.#acd.enqueue({ callId: sgc.callId, groupId: sgc.group.id, priority: sgc.access.priority, arrivedAt: sgc.arrivedAt });
          if (offer) this.#offer(offer);
        }, PORT_RETRY_MS).unref();
      }
      return;
    }
    offered.leg = leg;
    if (offered.abandoned) {
      void leg.hangup();
      return;
    }
    const onRefer = this.onAgentRefer;
    if (onRefer) leg.on("transferRequested", (refer) => onRefer(sgc.callId, leg.callId, refer));
    this.#o.bus.safeEmit("call.delivered", {
      ...sgc.eventBase,
      logonId: agent.logonId,
      extension: agent.extension,
      callManagerId: agent.callManagerId,
      agentCallId: leg.callId,
    });
    const ringTime = offered.personal?.ringTime ?? this.ringTimeFor(sgc.group);
    offered.ringTimer = setTimeout(() => this.#offerFailed(sgc, offered, "noAnswer", undefined), ringTime);
    offered.ringTimer.unref();
    leg.once("answered", () => this.#connect(sgc, offered));
    leg.once("ended", (reason, status) => {
      if (sgc.state === "talking" && sgc.offer === offered) this.#conversationOver(sgc, "agent");
      else if (!offered.abandoned) this.#offerFailed(sgc, offered, failureOf(reason, status), status);
    });
  }

  /** Places a call for the caller (to an agent or a number) with the caller's identity and codec. */
  #dial(sgc: ServiceGroupCall, callManagerId: string, target: string): Promise<OutboundLeg> {
    return OutboundLeg.dial({
      sip: this.#o.sip,
      media: this.#o.media,
      callManagerId,
      target,
      from: sgc.eventBase.caller,
      headers: sgc.outboundHeaders,
      ...(sgc.endpoint.codec ? { preferCodec: sgc.endpoint.codec } : {}),
      logger: this.#log,
    });
  }

  #offerFailed(sgc: ServiceGroupCall, offered: NonNullable<ServiceGroupCall["offer"]>, reason: "noAnswer" | "busy" | "declined" | "failed", status: number | undefined): void {
    if (offered.abandoned) return;
    offered.abandoned = true;
    clearTimeout(offered.ringTimer);
    void offered.leg?.hangup();
    sgc.offer = undefined;
    const { agent } = offered;
    this.#log.info({ callId: sgc.callId, logonId: agent.logonId, reason, status }, "agent did not take the call; forced not ready");
    this.#o.bus.safeEmit("call.offerFailed", { ...sgc.eventBase, logonId: agent.logonId, extension: agent.extension, reason, ...(status !== undefined ? { sipStatus: status } : {}) });
    if (this.#o.agents.get(agent.logonId)?.state === "reserved") {
      this.#own
        .during(agent.logonId, () => this.#o.phoneAgents.forceNotReady(agent.logonId, reason === "noAnswer" ? "no answer" : reason))
        .catch((e: unknown) => this.#log.warn({ logonId: agent.logonId, err: (e as Error).message }, "forcing not ready failed"));
    }
    if (sgc.state !== "ringing") return;
    sgc.state = "queued";
    if (this.#settlePersonal(sgc, offered, reason)) return;
    if (sgc.group.maxWait > 0 && Date.now() - sgc.queuedAt >= sgc.group.maxWait) {
      this.#leaveQueue(sgc, "maxWait", sgc.group.overflow!);
      return;
    }
    this.#requeue(sgc);
  }

  /** Back in the queue at the call's original place; offered again at once if an agent is free. */
  #requeue(sgc: ServiceGroupCall): void {
    sgc.state = "queued";
    // A transferred call left the ACD's queue when it was first answered: back at its original place (its arrival).
    const offer = this.#acd.call(sgc.callId)
      ? this.#acd.requeue(sgc.callId)
      : this.#acd.enqueue({ callId: sgc.callId, groupId: sgc.group.id, priority: sgc.access.priority, arrivedAt: sgc.arrivedAt });
    this.#o.bus.safeEmit("call.queued", { ...sgc.eventBase, position: this.#acd.position(sgc.callId) ?? 1, priority: sgc.access.priority, requeued: true });
    if (offer) this.#offer(offer);
  }

  #connect(sgc: ServiceGroupCall, offered: NonNullable<ServiceGroupCall["offer"]>): void {
    if (offered.abandoned || sgc.offer !== offered || sgc.state !== "ringing") {
      void offered.leg?.hangup();
      return;
    }
    clearTimeout(offered.ringTimer);
    clearTimeout(sgc.maxWaitTimer);
    sgc.treatment?.stop();
    sgc.treatment = undefined;
    const leg = offered.leg!;
    this.#acd.remove(sgc.callId);
    this.#estimator.recordAnswered(sgc.group.id, Date.now() - offered.offeredAt);
    if (this.#o.agents.get(offered.agent.logonId)?.state === "reserved") this.#own.transition(offered.agent.logonId, "talking");
    sgc.state = "talking";
    sgc.answeredAt = Date.now();
    const room = MediaRoom.conversation(this.#log, sgc.endpoint, leg.endpoint);
    sgc.room = room;
    this.#o.bus.safeEmit("call.established", {
      ...sgc.eventBase,
      logonId: offered.agent.logonId,
      extension: offered.agent.extension,
      agentCallId: leg.callId,
      recordingUri: this.#o.recording?.register({ room, callId: sgc.callId, logonId: offered.agent.logonId, extension: offered.agent.extension, serviceGroup: sgc.group.id }),
      waitMs: sgc.answeredAt - sgc.arrivedAt,
    });
    offered.personal?.settle("answered");
    this.#auth?.watchFeatureCode(sgc, leg);
  }

  // ── transfers: cti/calls/agent-transfer/ decides, these carry it out ──────────────────────────────────────────

  /** Gets the REFERs agents' phones send in the calls offered to them: (caller's Call-ID, agent leg's Call-ID, REFER). */
  onAgentRefer: ((callId: string, agentCallId: string, refer: IncomingRefer) => void) | undefined;

  /** The service group call whose agent leg has this SIP Call-ID (the bridge's INVITE to the agent). */
  callByAgentLeg(agentCallId: string): ServiceGroupCall | undefined {
    for (const sgc of this.#calls.values()) if (sgc.offer?.leg?.callId === agentCallId) return sgc;
    return undefined;
  }

  /** A service group call by the caller's Call-ID. */
  serviceGroupCall(callId: string): ServiceGroupCall | undefined {
    return this.#calls.get(callId);
  }

  /**
   * Ends the talking agent's part for a transfer: its leg is hung up, it goes to its after-call state (the group's
   * clerical time), call.transferred is published, and the caller waits as `routed` with the group's music until the
   * transfer offers, queues or connects it. Throws CALL_NOT_FOUND, CALL_NOT_IN_CONVERSATION. `hangUpAgentLegAfter`:
   * the agent's leg is hung up when it settles (else at once).
   */
  releaseAgentForTransfer(callId: string, transfer: Pick<CallTransferredEvent, "to" | "kind" | "toLogonId" | "via" | "attended">, options: { hangUpAgentLegAfter?: Promise<unknown> } = {}): Agent {
    const sgc = this.#calls.get(callId);
    if (!sgc) throw new CtiError(Errors.CALL_NOT_FOUND, callId);
    const offered = sgc.offer;
    if (sgc.state !== "talking" || !offered) throw new CtiError(Errors.CALL_NOT_IN_CONVERSATION, `call ${callId} is ${sgc.state}`);
    const talkMs = Date.now() - (sgc.answeredAt ?? Date.now());
    offered.abandoned = true; // its leg's end is not the conversation's end
    sgc.offer = undefined;
    sgc.state = "routed";
    sgc.room?.close();
    sgc.room = undefined;
    // A REFER's NOTIFYs go out in the agent's dialog before the BYE.
    const leg = offered.leg;
    if (options.hangUpAgentLegAfter) void options.hangUpAgentLegAfter.finally(() => void leg?.hangup());
    else void leg?.hangup();
    this.#o.bus.safeEmit("call.transferred", { ...sgc.eventBase, logonId: offered.agent.logonId, extension: offered.agent.extension, ...transfer, talkMs });
    this.#afterCall(offered.agent.logonId, sgc.group, talkMs);
    this.#startTreatment(sgc, false);
    return offered.agent;
  }

  /**
   * Offers a call waiting for a transfer (`routed`) to one agent as a service group call: a transfer's target, or an
   * attendant's recall. The agent must be idle or in wrap-up (which ends). Ring time supervision as for every offer:
   * no answer → the agent is forced not ready and the call goes back to the group's queue at its original place.
   * Throws CALL_NOT_FOUND, AGENT_NOT_LOGGED_ON, TRANSFER_TARGET_BUSY.
   */
  offerToAgent(callId: string, logonId: string): void {
    const sgc = this.#calls.get(callId);
    if (!sgc || sgc.state !== "routed") throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not waiting for a transfer`);
    const agent = this.#o.agents.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    if (agent.state !== "idleReady" && agent.state !== "idleNotReady" && agent.state !== "clerical") {
      throw new CtiError(Errors.TRANSFER_TARGET_BUSY, `${logonId} is ${agent.state}`);
    }
    if (agent.state === "clerical") {
      clearTimeout(this.#clericalTimers.get(logonId));
      this.#clericalTimers.delete(logonId);
      this.#own.transition(logonId, "idleReady");
    }
    sgc.queuedAt = Date.now(); // a failed offer checks the group's maximum wait from here
    this.#ring(sgc, agent);
  }

  /** Puts a call waiting for a transfer into a service group's queue by its first arrival. Throws CALL_NOT_FOUND, SERVICE_GROUP_UNKNOWN. */
  queueInGroup(callId: string, groupId: string): void {
    const sgc = this.#calls.get(callId);
    if (!sgc || sgc.state !== "routed") throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not waiting for a transfer`);
    const group = this.#groups.get(groupId);
    if (!group) throw new CtiError(Errors.SERVICE_GROUP_UNKNOWN, groupId);
    sgc.room?.close();
    sgc.room = undefined;
    this.#enterGroup(sgc, group);
  }

  /** Joins a caller waiting for a transfer with a leg the bridge placed for it (its media endpoint); the music stops. */
  joinCaller(callId: string, endpoint: MediaEndpoint): void {
    const sgc = this.#calls.get(callId);
    if (!sgc || sgc.state !== "routed") throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not waiting for a transfer`);
    sgc.treatment?.stop();
    sgc.treatment = undefined;
    sgc.room?.close();
    sgc.room = MediaRoom.conversation(this.#log, sgc.endpoint, endpoint);
  }

  /** The ring time supervision of this group's offers: its own ringTime, else the system's. */
  ringTimeFor(group: ServiceGroupConfig): number {
    return group.ringTime ?? this.#o.ringTimeSupervision;
  }

  /**
   * Attended transfer (agent-transfer/attended-transfer.ts): reserves an idle agent (ready or not; wrap-up ends) while
   * the bridge's INVITE with Replaces goes to its phone, so the ACD offers it nothing meanwhile. Returns the undo (back
   * to the idle state it had, wrap-up → idle ready; nothing if it is no longer reserved). Throws AGENT_NOT_LOGGED_ON,
   * TRANSFER_TARGET_BUSY.
   */
  reserveForTransfer(logonId: string): () => void {
    const agent = this.#o.agents.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    const before = agent.state;
    if (before !== "idleReady" && before !== "idleNotReady" && before !== "clerical") throw new CtiError(Errors.TRANSFER_TARGET_BUSY, `${logonId} is ${before}`);
    const reason = before === "idleNotReady" ? agent.notReadyReason : undefined;
    if (before === "clerical") {
      clearTimeout(this.#clericalTimers.get(logonId));
      this.#clericalTimers.delete(logonId);
      this.#own.transition(logonId, "idleReady");
    }
    this.#own.transition(logonId, "reserved");
    return () => {
      if (this.#o.agents.get(logonId)?.state === "reserved") this.#own.transition(logonId, before === "idleNotReady" ? "idleNotReady" : "idleReady", reason);
    };
  }

  /**
   * Attended transfer completed: the call, waiting after releaseAgentForTransfer, continues as a service group call on
   * the agent reserved for it (reserveForTransfer), whose phone answered `leg` (the INVITE with Replaces) — talking,
   * call.established, then as any answered offer (the leg's end ends the conversation; its REFERs are transfers).
   * Throws CALL_NOT_FOUND, AGENT_NOT_LOGGED_ON (the agent is no longer reserved).
   */
  connectTransferredAgent(callId: string, logonId: string, leg: OutboundLeg): void {
    const sgc = this.#calls.get(callId);
    if (!sgc || sgc.state !== "routed" || leg.ended) throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not waiting for a transfer`);
    const agent = this.#o.agents.get(logonId);
    if (!agent || agent.state !== "reserved") throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, `${logonId} is not reserved for the call`);
    const offered = agentLeg(agent, leg);
    sgc.state = "ringing";
    sgc.offer = offered;
    const onRefer = this.onAgentRefer;
    if (onRefer) leg.on("transferRequested", (refer) => onRefer(sgc.callId, leg.callId, refer));
    leg.once("ended", () => {
      if (sgc.state === "talking" && sgc.offer === offered) this.#conversationOver(sgc, "agent");
    });
    this.#connect(sgc, offered);
  }

  // ── personal call routing: cti/calls/personal-routing/ decides, these carry it out ─────────────────────────────

  /** Groups with personalCalls hand their answered callers to this hook instead of queueing them. */
  setPersonalCallHook(hook: PersonalCallHook | undefined): void {
    this.#personal = hook;
  }

  /**
   * Offers a call the distributor holds without queueing it (state "queued", not in the ACD) to one idle agent,
   * ready or not ready, ringing for `ringTime`. Resolves how the offer ended; on anything but "answered" the call is
   * "queued" again and the hook decides. A failed offer forces the agent not ready as every offer does; a caller
   * hanging up puts the agent back in the idle state it had.
   */
  offerTo(callId: string, logonId: string, ringTime: number): Promise<PersonalOfferOutcome> {
    const sgc = this.#calls.get(callId);
    const agent = this.#o.agents.get(logonId);
    if (this.#closed || !sgc || sgc.state !== "queued" || !agent || (agent.state !== "idleReady" && agent.state !== "idleNotReady")) {
      return Promise.resolve("failed");
    }
    const before = { state: agent.state, reason: agent.notReadyReason };
    return new Promise((settle) => this.#ring(sgc, agent, { ringTime, settle, before }));
  }

  /** A personal offer could not be placed or failed: the call waits ("queued") for the hook's next step. */
  #settlePersonal(sgc: ServiceGroupCall, offered: AgentLeg, outcome: PersonalOfferOutcome, restoreAgent = false): boolean {
    const { personal, agent } = offered;
    if (!personal) return false;
    if (restoreAgent && this.#o.agents.get(agent.logonId)?.state === "reserved") {
      this.#own.transition(agent.logonId, personal.before.state, personal.before.reason); // not the agent's fault
    }
    if (sgc.state === "ringing") sgc.state = "queued";
    personal.settle(outcome);
    return true;
  }

  // ── endings ─────────────────────────────────────────────────────────────────────────────────────────────────

  #callerGone(sgc: ServiceGroupCall): void {
    const state = sgc.state;
    if (state === "ended") return;
    if (state === "talking") {
      this.#conversationOver(sgc, "caller");
      return;
    }
    const waitMs = Date.now() - sgc.arrivedAt;
    this.#acd.remove(sgc.callId);
    if (state === "queued") {
      this.#o.bus.safeEmit("call.abandoned", { ...sgc.eventBase, stage: "queue", waitMs });
    } else if (state === "ringing") {
      const offered = sgc.offer!;
      offered.abandoned = true;
      clearTimeout(offered.ringTimer);
      // The agent's phone stops ringing at once: CANCEL now (or, if the SIP INVITE is not out yet, right after).
      void offered.leg?.hangup();
      const before = offered.personal?.before;
      if (this.#o.agents.get(offered.agent.logonId)?.state === "reserved") this.#own.transition(offered.agent.logonId, before?.state ?? "idleReady", before?.reason);
      offered.personal?.settle("abandoned");
      this.#o.bus.safeEmit("call.abandoned", { ...sgc.eventBase, stage: "ringing", waitMs, logonId: offered.agent.logonId });
    }
    this.#release(sgc);
  }

  /** Either side hung up a connected call: clear the other leg, then the agent's after-call work. */
  #conversationOver(sgc: ServiceGroupCall, releasedBy: "caller" | "agent"): void {
    if (sgc.state !== "talking") return;
    const offered = sgc.offer!;
    const talkMs = Date.now() - (sgc.answeredAt ?? Date.now());
    sgc.state = "ended";
    void offered.leg?.hangup();
    void sgc.caller.hangup();
    this.#o.bus.safeEmit("call.cleared", { ...sgc.eventBase, logonId: offered.agent.logonId, extension: offered.agent.extension, releasedBy, talkMs });
    const before = offered.personal?.before;
    this.#afterCall(offered.agent.logonId, sgc.group, talkMs, before?.state === "idleNotReady" ? { reason: before.reason } : undefined);
    this.#release(sgc);
  }

  /** `backToNotReady`: a personal call offered to a not-ready agent leaves it not ready again (with its reason). */
  #afterCall(logonId: string, group: ServiceGroupConfig, talkMs: number, backToNotReady?: { reason: string | undefined }): void {
    this.#estimator.recordHandled(group.id, talkMs + group.clericalTime);
    if (this.#o.agents.get(logonId)?.state !== "talking") return; // logged off or changed by someone meanwhile
    const idle = backToNotReady ? "idleNotReady" : "idleReady";
    if (group.clericalTime <= 0) {
      this.#own.transition(logonId, idle, backToNotReady?.reason);
      return;
    }
    this.#own.transition(logonId, "clerical");
    const timer = setTimeout(() => {
      this.#clericalTimers.delete(logonId);
      if (this.#o.agents.get(logonId)?.state === "clerical") this.#own.transition(logonId, idle, backToNotReady?.reason);
    }, group.clericalTime);
    timer.unref();
    this.#clericalTimers.set(logonId, timer);
  }

  /** The call is over for the bridge: stop everything it held. */
  #release(sgc: ServiceGroupCall): void {
    sgc.state = "ended";
    clearTimeout(sgc.maxWaitTimer);
    sgc.treatment?.stop();
    sgc.room?.close();
    sgc.endpoint.close();
    this.#calls.delete(sgc.callId);
    const leg = sgc.offer?.leg;
    if (leg && !leg.ended) leg.once("ended", () => sgc.finish());
    else sgc.finish();
  }

  // ── agents ──────────────────────────────────────────────────────────────────────────────────────────────────


  #agentStateChanged(e: AgentStateChangedEvent): void {
    if (e.from === "loggedOff") this.#acd.agentLoggedOn({ logonId: e.logonId, groups: [] });
    if (e.to === "loggedOff") {
      this.#acd.agentLoggedOff(e.logonId);
      const timer = this.#clericalTimers.get(e.logonId);
      if (timer) clearTimeout(timer);
      this.#clericalTimers.delete(e.logonId);
    } else if (e.to !== "idleReady") {
      // Keeps the core's counts (open condition "ready") in step; an offer already made it reserved there.
      this.#acd.agentUnavailable(e.logonId, e.to);
    }
    // An agent taken away while its phone rings (logged off, set not ready by an integration): give the offer up.
    if (e.from === "reserved" && !this.#own.isOwn(e.logonId)) {
      for (const sgc of this.#calls.values()) {
        if (sgc.state === "ringing" && sgc.offer?.agent.logonId === e.logonId) {
          const offered = sgc.offer;
          offered.abandoned = true;
          clearTimeout(offered.ringTimer);
          void offered.leg?.hangup();
          sgc.offer = undefined;
          if (offered.personal) {
            sgc.state = "queued";
            offered.personal.settle("failed");
          } else this.#requeue(sgc);
        }
      }
    }
    // Offer after the event has reached every listener, so the bus shows idleReady before reserved.
    if (e.to === "idleReady") queueMicrotask(() => this.#agentAvailable(e.logonId));
  }

  #agentAvailable(logonId: string): void {
    const agent = this.#o.agents.get(logonId);
    if (this.#closed || !agent || agent.state !== "idleReady") return;
    if (this.#personal?.claimsAgent(logonId)) return; // a personal call waits for this agent: it goes first
    const offer = this.#acd.agentAvailable(logonId, agent.stateSince.getTime());
    if (offer) this.#offer(offer);
  }

  #estimatedWait(groupId: string, position: number): number {
    return this.#estimator.estimatedWaitSeconds(groupId, position, this.#acd.agentsServing(groupId));
  }

  #agentsByState(group: ServiceGroupConfig): Record<AgentState, number> {
    if (group.agents === "*") return this.#o.agents.countByState();
    const counts: Record<AgentState, number> = { loggedOff: 0, idleReady: 0, idleNotReady: 0, reserved: 0, talking: 0, callWaiting: 0, callback: 0, clerical: 0 };
    for (const member of group.agents) counts[this.#o.agents.get(member.logonId)?.state ?? "loggedOff"]++;
    return counts;
  }
}

function unavailableState(state: AgentState): UnavailableState {
  return state === "idleReady" || state === "loggedOff" ? "idleNotReady" : state;
}

function failureOf(reason: string, status: number | undefined): "busy" | "declined" | "failed" {
  if (status === 486 || status === 600) return "busy";
  if (status === 603 || status === 480) return "declined";
  return reason === "rejected" ? "declined" : "failed";
}

function describe(d: DestinationConfig): string {
  if ("serviceGroup" in d) return `serviceGroup:${d.serviceGroup}`;
  if ("script" in d) return `script:${d.script}`;
  if ("number" in d) return `number:${d.number}`;
  return `prompt:${d.prompt}`;
}
