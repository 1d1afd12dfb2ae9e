// Personal call routing (manual: "Configuration of Personal Call Routing" and "… Without Dispatch"): a call to a
// "Voice – Manual Routing" group with Personal Calls goes to the agent whose personal directory number was called.
//
//   arrived ─► called number (Diversion, History-Info, To) ─► agent?
//     no agent ──────────────────────────────────────────────────────────────► dispatch queue (general)
//     not logged on ─► agent's default destination ─► system default ─► (both failed) dispatch queue (general)
//     idle (ready or not ready) ─► offered, ring time supervision (without dispatch: Maximum Wait Time for Personal Call)
//         no answer / busy / declined ─► with dispatch: dispatch queue (general)
//                                        without: default destination ─► system default ─► dispatch queue (general)
//     busy ─► with dispatch: dispatch queue reserved for the agent ──maxWaitPersonal──► general
//             without: waits for the agent (offered as soon as it is idle) ──maxWaitPersonal──► default destinations
//                      ─► dispatch queue (general; never sent to the agent directly again)
//   dispatch queue ──pick(callId, logonId)──► offered to that agent ──not answered──► back in the dispatch queue
//
// "Busy" is any state but idle: reserved, talking, wrap-up. The distributor carries out every offer and owns the
// caller's call; this class only decides and keeps the dispatch queue.
import type { Logger } from "../../log.js";
import type { EventBus, AgentStateChangedEvent } from "../../events/event-bus.js";
import type { SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import type { PromptLibrary } from "../../../ivr/media/prompt-library.js";
import type { AgentRegistry } from "../../agents/agent-registry.js";
import type { Agent } from "../../agents/agent.js";
import type { ServiceGroupConfig } from "../../config/schema.js";
import type { User } from "../../store/open-store.js";
import { CtiError, Errors } from "../../errors.js";
import { QueueTreatment } from "../queue-treatment.js";
import type { ServiceGroupCall } from "../service-group-call.js";
import { calledPersonalNumber, type CalledPersonalNumber } from "./called-personal-number.js";
import { deflectCall } from "./deflect-call.js";
import { DispatchQueue, type DispatchAvailability, type DispatchEntry, type DispatchReason } from "./dispatch-queue.js";
import type { PersonalCallHook, PersonalOfferOutcome } from "./personal-call-hook.js";

/** What the router needs of the call distributor. */
export interface PersonalOffers {
  offerTo(callId: string, logonId: string, ringTime: number): Promise<PersonalOfferOutcome>;
  /** The group's ring time supervision (its own, else the system's). */
  ringTimeFor(group: ServiceGroupConfig): number;
}

/** What the router needs of the directory. */
export interface PersonalNumberDirectory {
  findByPersonalNumber(tenantId: number, personalNumber: string): Promise<User[]>;
  get(tenantId: number, logonId: string): Promise<User | undefined>;
}

export interface PersonalCallRouterOptions {
  offers: PersonalOffers;
  users: PersonalNumberDirectory;
  tenantId: number;
  agents: AgentRegistry;
  sip: SipStack;
  media: MediaServer;
  prompts: PromptLibrary;
  language: string;
  /** system.defaultDestination: tried when the agent's own default destination fails. */
  systemDefaultDestination: string | undefined;
  /** Call manager for deflections when the caller's is not known. */
  defaultCallManagerId: string;
  bus: EventBus;
  logger: Logger;
}

/** A waiting personal call as the Open Interface lists it. */
export interface DispatchCallView {
  callId: string;
  serviceGroup: string;
  dialed: string;
  caller: { number: string; name?: string };
  personalNumber?: string;
  /** The agent the personal number belongs to. */
  intendedLogonId?: string;
  /** personal: only the intended agent may pick it (until maxWaitPersonal); general: every agent of the group. */
  availability: DispatchAvailability;
  reason: DispatchReason;
  arrivedAt: string;
  queuedAt: string;
  /** Since the caller arrived. */
  waitMs: number;
}

interface PersonalCall {
  readonly sgc: ServiceGroupCall;
  called: CalledPersonalNumber | undefined;
  user: User | undefined;
  /** Without dispatch, while the busy agent is waited for: the logon ID (claimsAgent). */
  waitingFor: string | undefined;
  waitTimer: NodeJS.Timeout | undefined;
  /** With dispatch: reserved for its busy agent until this time (ms), then generally available. */
  reservedUntil: number | undefined;
  reserveTimer: NodeJS.Timeout | undefined;
  /** An offer (to the agent or a picker) or a deflection is under way. */
  busy: boolean;
}

const IDLE = new Set(["idleReady", "idleNotReady"]);

export class PersonalCallRouter implements PersonalCallHook {
  readonly #o: PersonalCallRouterOptions;
  readonly #log: Logger;
  readonly #calls = new Map<string, PersonalCall>();
  readonly #dispatch = new DispatchQueue();
  readonly #onAgentState = (e: AgentStateChangedEvent): void => {
    if (IDLE.has(e.to)) queueMicrotask(() => this.#agentIdle(e.logonId));
  };
  #closed = false;

  constructor(options: PersonalCallRouterOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "personal-routing" });
    options.bus.on("agent.stateChanged", this.#onAgentState);
  }

  // ── PersonalCallHook ────────────────────────────────────────────────────────────────────────────────────────

  arrived(sgc: ServiceGroupCall): void {
    const pc: PersonalCall = { sgc, called: undefined, user: undefined, waitingFor: undefined, waitTimer: undefined, reservedUntil: undefined, reserveTimer: undefined, busy: false };
    this.#calls.set(sgc.callId, pc);
    void sgc.done.then(() => this.#forget(pc));
    this.#startMusic(sgc);
    pc.called = calledPersonalNumber((name) => sgc.caller.headers(name), sgc.caller.dialedNumber);
    this.#route(pc).catch((e: unknown) => {
      this.#log.error({ callId: sgc.callId, err: (e as Error).message }, "personal call routing failed; the call waits in the dispatch queue");
      if (this.#live(pc)) this.#toDispatch(pc, "general", "unidentified");
    });
  }

  claimsAgent(logonId: string): boolean {
    return this.#callWaitingFor(logonId) !== undefined;
  }

  /** The personal call (without dispatch) that waits for this agent to be idle and is not being offered now. */
  #callWaitingFor(logonId: string): PersonalCall | undefined {
    for (const pc of this.#calls.values()) if (pc.waitingFor === logonId && !pc.busy) return pc;
    return undefined;
  }

  // ── the Open Interface ──────────────────────────────────────────────────────────────────────────────────────

  /** The dispatch queue, oldest first; of one service group when given. */
  dispatchQueue(groupId?: string): DispatchCallView[] {
    const now = Date.now();
    return this.#dispatch
      .list(groupId)
      .map((e) => {
        const pc = this.#calls.get(e.callId);
        return pc ? view(pc.sgc, e, now) : undefined;
      })
      .filter((v): v is DispatchCallView => v !== undefined);
  }

  /**
   * An agent selects a call from the dispatch queue: it is offered to the agent's phone at once (ring time
   * supervision; not answered → back in the dispatch queue as it was). The agent must be logged on and idle, hold
   * the Dispatch privilege and serve the group; a call reserved for its busy agent can only be picked by that agent.
   * Throws CALL_NOT_FOUND, AGENT_NOT_LOGGED_ON, AGENT_STATE, DISPATCH_NOT_ALLOWED.
   */
  async pick(callId: string, logonId: string): Promise<DispatchCallView> {
    const entry = this.#dispatch.get(callId);
    const pc = this.#calls.get(callId);
    if (!entry || !pc || pc.busy) throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not in a dispatch queue`);
    const agent = this.#o.agents.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    if (!IDLE.has(agent.state)) throw new CtiError(Errors.AGENT_STATE, `${logonId} is ${agent.state}`);
    if (entry.availability === "personal" && entry.intendedLogonId !== logonId) {
      throw new CtiError(Errors.DISPATCH_NOT_ALLOWED, `${callId} waits for agent ${entry.intendedLogonId} until the maximum wait time for personal calls`);
    }
    if (entry.intendedLogonId !== logonId && !serves(pc.sgc.group, logonId)) {
      throw new CtiError(Errors.DISPATCH_NOT_ALLOWED, `${logonId} does not serve service group ${pc.sgc.group.id}`);
    }
    const user = await this.#o.users.get(this.#o.tenantId, logonId);
    if (!user?.dispatch) throw new CtiError(Errors.DISPATCH_NOT_ALLOWED, `${logonId} has no Dispatch privilege`);
    // The lookup was asynchronous: check again that nobody took the call or the agent meanwhile.
    if (this.#dispatch.get(callId) !== entry || pc.busy || !this.#live(pc)) throw new CtiError(Errors.CALL_NOT_FOUND, `${callId} is not in a dispatch queue`);
    const picker = this.#o.agents.get(logonId);
    if (!picker || !IDLE.has(picker.state)) throw new CtiError(Errors.AGENT_STATE, `${logonId} is ${picker?.state ?? "loggedOff"}`);
    const picked = view(pc.sgc, entry, Date.now());
    this.#dispatch.take(callId);
    this.#o.bus.safeEmit("dispatch.picked", {
      ...pc.sgc.eventBase,
      logonId,
      extension: picker.extension,
      ...(entry.personalNumber !== undefined ? { personalNumber: entry.personalNumber } : {}),
      waitMs: Date.now() - pc.sgc.arrivedAt,
    });
    void this.#offer(pc, picker, this.#o.offers.ringTimeFor(pc.sgc.group)).then((outcome) => {
      if (outcome !== "answered" && outcome !== "abandoned" && this.#live(pc)) {
        this.#toDispatch(pc, entry.availability, "pickNotAnswered");
      }
    });
    return picked;
  }

  /** Stops timers; calls end with the SIP stack. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.bus.off("agent.stateChanged", this.#onAgentState);
    for (const pc of this.#calls.values()) {
      clearTimeout(pc.waitTimer);
      clearTimeout(pc.reserveTimer);
    }
  }

  // ── the rules ───────────────────────────────────────────────────────────────────────────────────────────────

  async #route(pc: PersonalCall): Promise<void> {
    const { sgc, called } = pc;
    const log = this.#log.child({ callId: sgc.callId, personalNumber: called?.number, source: called?.source });
    const users = called ? await this.#o.users.findByPersonalNumber(this.#o.tenantId, called.number) : [];
    if (!this.#live(pc)) return;
    if (users.length > 1) log.warn({ logonIds: users.map((u) => u.logonId) }, "several users have this personal number; the first is used");
    const user = users[0];
    if (!user) {
      log.info("the called number is no agent's personal number: the call waits in the dispatch queue");
      this.#toDispatch(pc, "general", "unidentified");
      return;
    }
    pc.user = user;
    const agent = this.#o.agents.get(user.logonId);
    log.info({ logonId: user.logonId, state: agent?.state ?? "loggedOff", dispatch: user.dispatch }, "personal call for an agent");
    if (!agent) {
      if (!(await this.#deflectToDefaults(pc))) this.#toDispatch(pc, "general", "notLoggedOn");
      return;
    }
    if (IDLE.has(agent.state)) {
      await this.#offerToOwnAgent(pc, agent);
      return;
    }
    if (user.dispatch) {
      this.#toDispatch(pc, "personal", "busy");
      return;
    }
    this.#waitForAgent(pc, user.logonId);
  }

  /** Offers the call to the agent whose number was called; what happens when it is not answered depends on dispatch. */
  async #offerToOwnAgent(pc: PersonalCall, agent: Agent): Promise<void> {
    const user = pc.user!;
    // Without dispatch the personal call rings for the group's Maximum Wait Time for Personal Call instead.
    const ringTime = user.dispatch ? this.#o.offers.ringTimeFor(pc.sgc.group) : pc.sgc.group.maxWaitPersonal;
    const outcome = await this.#offer(pc, agent, ringTime);
    if (outcome === "answered" || outcome === "abandoned" || !this.#live(pc)) return;
    if (user.dispatch) {
      this.#toDispatch(pc, "general", "noAnswer");
      return;
    }
    if (!(await this.#deflectToDefaults(pc))) this.#toDispatch(pc, "general", "noAnswer");
  }

  /** Without dispatch: the call waits for its busy agent, offered as soon as the agent is idle, for maxWaitPersonal. */
  #waitForAgent(pc: PersonalCall, logonId: string): void {
    pc.waitingFor = logonId;
    this.#log.info({ callId: pc.sgc.callId, logonId, maxWaitMs: pc.sgc.group.maxWaitPersonal }, "without dispatch: the personal call waits for its busy agent");
    pc.waitTimer = setTimeout(() => {
      pc.waitTimer = undefined;
      this.#log.info({ callId: pc.sgc.callId, logonId, ringing: pc.busy }, "the maximum wait for the busy agent is over");
      if (pc.busy) return; // the agent's phone rings: that offer decides
      pc.waitingFor = undefined;
      void this.#deflectToDefaults(pc).then((taken) => {
        if (!taken && this.#live(pc)) this.#toDispatch(pc, "general", "maxWait");
      });
    }, pc.sgc.group.maxWaitPersonal);
    pc.waitTimer.unref();
  }

  #agentIdle(logonId: string): void {
    if (this.#closed) return;
    const agent = this.#o.agents.get(logonId);
    if (!agent || !IDLE.has(agent.state)) return;
    const pc = this.#callWaitingFor(logonId);
    if (!pc) return;
    clearTimeout(pc.waitTimer);
    pc.waitTimer = undefined;
    pc.waitingFor = undefined;
    void this.#offerToOwnAgent(pc, agent);
  }

  /** The agent's default destination, then the system's; true when one of them took the call. */
  async #deflectToDefaults(pc: PersonalCall): Promise<boolean> {
    const destinations = [pc.user?.defaultDestination ?? undefined, this.#o.systemDefaultDestination].filter((d): d is string => !!d);
    for (const number of destinations) {
      if (!this.#live(pc)) return true;
      pc.busy = true;
      const taken = await deflectCall(pc.sgc, number, {
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: pc.sgc.caller.callManagerId ?? this.#o.defaultCallManagerId,
        ringLimitMs: this.#o.offers.ringTimeFor(pc.sgc.group),
        logger: this.#log,
      });
      pc.busy = false;
      if (taken) {
        if (pc.sgc.state !== "routed") return true; // the caller hung up as the destination answered
        const waitMs = Date.now() - pc.sgc.arrivedAt;
        // As an overflow to a number, so call detail records and integrations see where the call went.
        this.#o.bus.safeEmit("call.overflowed", { ...pc.sgc.eventBase, reason: "defaultDestination", destination: `number:${number}`, waitMs });
        this.#o.bus.safeEmit("dispatch.deflected", {
          ...pc.sgc.eventBase,
          destination: number,
          ...(pc.called ? { personalNumber: pc.called.number } : {}),
          ...(pc.user ? { logonId: pc.user.logonId } : {}),
          waitMs,
        });
        return true;
      }
    }
    return !this.#live(pc);
  }

  #toDispatch(pc: PersonalCall, wanted: DispatchAvailability, reason: DispatchReason): void {
    if (wanted === "personal") pc.reservedUntil ??= Date.now() + pc.sgc.group.maxWaitPersonal;
    // A call reserved for its agent whose pick failed after the reservation ran out comes back generally available.
    const availability = wanted === "personal" && Date.now() < pc.reservedUntil! ? "personal" : "general";
    const entry: DispatchEntry = {
      callId: pc.sgc.callId,
      groupId: pc.sgc.group.id,
      personalNumber: pc.called?.number,
      intendedLogonId: pc.user?.logonId,
      availability,
      reason,
      queuedAt: Date.now(),
    };
    this.#dispatch.add(entry);
    if (!pc.sgc.treatment) this.#startMusic(pc.sgc);
    this.#o.bus.safeEmit("dispatch.queued", {
      ...pc.sgc.eventBase,
      ...(entry.personalNumber !== undefined ? { personalNumber: entry.personalNumber } : {}),
      ...(entry.intendedLogonId !== undefined ? { logonId: entry.intendedLogonId } : {}),
      availability,
      reason,
    });
    if (availability === "personal" && !pc.reserveTimer) {
      pc.reserveTimer = setTimeout(() => {
        const current = this.#dispatch.get(pc.sgc.callId);
        if (!current || current.availability !== "personal") return; // picked meanwhile (see reservedUntil above)
        current.availability = "general";
        current.reason = "busy";
        this.#o.bus.safeEmit("dispatch.queued", {
          ...pc.sgc.eventBase,
          ...(current.personalNumber !== undefined ? { personalNumber: current.personalNumber } : {}),
          ...(current.intendedLogonId !== undefined ? { logonId: current.intendedLogonId } : {}),
          availability: "general",
          reason: "busy",
        });
      }, pc.reservedUntil! - Date.now());
      pc.reserveTimer.unref();
    }
  }

  async #offer(pc: PersonalCall, agent: Agent, ringTime: number): Promise<PersonalOfferOutcome> {
    pc.busy = true;
    try {
      return await this.#o.offers.offerTo(pc.sgc.callId, agent.logonId, ringTime);
    } finally {
      pc.busy = false;
    }
  }

  #startMusic(sgc: ServiceGroupCall): void {
    const { prompts, language } = this.#o;
    sgc.treatment?.stop();
    sgc.treatment = new QueueTreatment({
      endpoint: sgc.endpoint,
      settings: { welcomePrompt: sgc.treatment ? undefined : sgc.group.welcomePrompt, music: sgc.group.music },
      resolve: (name) => prompts.resolve(name, language),
      standing: () => ({ position: undefined, estimatedWaitSeconds: undefined }),
      onError: (e) => this.#log.warn({ callId: sgc.callId, err: e.message }, "dispatch queue music failed; the caller waits in silence"),
    });
    sgc.treatment.start();
  }

  /** The caller is still there and the call still the router's (not talking, not deflected). */
  #live(pc: PersonalCall): boolean {
    return !this.#closed && this.#calls.has(pc.sgc.callId) && pc.sgc.state === "queued";
  }

  #forget(pc: PersonalCall): void {
    clearTimeout(pc.waitTimer);
    clearTimeout(pc.reserveTimer);
    this.#calls.delete(pc.sgc.callId);
    this.#dispatch.take(pc.sgc.callId);
  }
}

function serves(group: ServiceGroupConfig, logonId: string): boolean {
  return group.agents === "*" || group.agents.some((a) => a.logonId === logonId);
}

function view(sgc: ServiceGroupCall, e: DispatchEntry, now: number): DispatchCallView {
  const base = sgc.eventBase;
  return {
    callId: sgc.callId,
    serviceGroup: e.groupId,
    dialed: base.dialed,
    caller: base.caller,
    ...(e.personalNumber !== undefined ? { personalNumber: e.personalNumber } : {}),
    ...(e.intendedLogonId !== undefined ? { intendedLogonId: e.intendedLogonId } : {}),
    availability: e.availability,
    reason: e.reason,
    arrivedAt: new Date(sgc.arrivedAt).toISOString(),
    queuedAt: new Date(e.queuedAt).toISOString(),
    waitMs: now - sgc.arrivedAt,
  };
}
