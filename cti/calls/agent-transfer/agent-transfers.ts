// What an agent's transfer of its caller does, whatever way it was asked for (the phone's REFER, Asterisk's marked
// hairpin INVITE, POST /calls/{callId}/transfer). The target decides (first match wins):
//
//   customer authentication number ──► divert-and-return (customer-authentication/)
//   a BVD of a service access      ──► the caller queues in that access's service group (by its first arrival)
//   caller in an attendant group   ──► attendant transfer: the bridge calls the number (bypass diversion code on TAS,
//                                      destination gates), joins the caller when it answers, recalls the attendant
//                                      agent on busy, invalid number and — with maintain queue — no answer
//   an agent's extension           ──► transfer of a service group call: offered to that agent as a service group call
//                                      (ring time supervision: no answer → forced not ready, back to the queue)
//   any other number               ──► the bridge calls it and joins the caller; not reached → back to the queue
//
// The transferring agent's part ends at once (its after-call state); the caller waits with the group's music.
// A REFER with Replaces (attended transfer: the target answered the agent's own consultation call) is not one of
// these: attended-transfer.ts keeps the caller with the agent until the target's phone took the bridge's call.
import type { Logger } from "../../log.js";
import type { EventBus, AgentStateChangedEvent } from "../../events/event-bus.js";
import type { SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import type { CallManagerConfig } from "../../config/schema.js";
import type { AgentRegistry } from "../../agents/agent-registry.js";
import type { Agent } from "../../agents/agent.js";
import type { BvdTable } from "../../routing/bvd-table.js";
import { CtiError, Errors } from "../../errors.js";
import type { CallDistributor } from "../call-distributor.js";
import type { ServiceGroupCall } from "../service-group-call.js";
import type { AttendantSettings } from "./attendant-config.js";
import { DestinationGates } from "./destination-gates.js";
import { NumberTransfer, type TransferFailure } from "./number-transfer.js";
import { AttendedTransfers } from "./attended-transfer.js";

export type TransferVia = "refer" | "hairpin" | "api";
export type TransferKind = "authentication" | "serviceGroup" | "attendant" | "agent" | "number";

export interface TransferResult {
  callId: string;
  to: string;
  kind: TransferKind;
  /** The transferring agent. */
  logonId: string;
}

export interface AgentTransfersOptions {
  distributor: CallDistributor;
  agents: AgentRegistry;
  bvds: BvdTable;
  callManagers: readonly CallManagerConfig[];
  attendant: AttendantSettings;
  sip: SipStack;
  media: MediaServer;
  bus: EventBus;
  logger: Logger;
}

const TARGET = /^[0-9A-Za-z+*#._-]{1,32}$/;
/** Agent states in which a phone is on a call: a transfer to it is refused, an attendant transfer waits (busy gate). */
const ON_A_CALL = new Set(["reserved", "talking", "callWaiting", "callback"]);

export class AgentTransfers {
  readonly #o: AgentTransfersOptions;
  readonly #log: Logger;
  readonly #gates: DestinationGates;
  /** REFERs with Replaces: the transfer of a call the target agent has answered (attended-transfer.ts). */
  readonly attended: AttendedTransfers;
  readonly #onAgentState = (_e: AgentStateChangedEvent): void => this.#gates.pump();

  constructor(options: AgentTransfersOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "transfer" });
    this.#gates = new DestinationGates({ settings: options.attendant, agentBusyAt: (n) => this.#agentBusyAt(n) });
    if (options.attendant.doNotTransferToBusy) options.bus.on("agent.stateChanged", this.#onAgentState);
    this.attended = new AttendedTransfers({ ...options, agentAt: (number, from) => this.#agentAt(number, from) });
  }

  /**
   * Transfers the caller of a conversation (`callId`: the caller's Call-ID) to `to`. Nothing has changed when it
   * throws: BAD_REQUEST (not a dial string, or the agent itself), CALL_NOT_FOUND, CALL_NOT_IN_CONVERSATION,
   * TRANSFER_TARGET_BUSY (the target agent is on a call), CUSTOMER_AUTH_NOT_CONFIGURED.
   * `agentCallId`: the request came in this agent leg (a REFER), which must be the one talking to the caller.
   * `hangUpAgentLegAfter`: the transferring agent's leg is hung up when it settles (a REFER's NOTIFYs go first).
   */
  async transfer(callId: string, to: string, via: TransferVia, options: { agentCallId?: string; hangUpAgentLegAfter?: Promise<unknown> } = {}): Promise<TransferResult> {
    const { distributor } = this.#o;
    if (!TARGET.test(to)) throw new CtiError(Errors.BAD_REQUEST, `transfer target ${JSON.stringify(to)}: a number of digits, letters, + * # . _ -`);
    const sgc = distributor.serviceGroupCall(callId);
    if (!sgc) throw new CtiError(Errors.CALL_NOT_FOUND, callId);
    const from = sgc.offer?.agent;
    if (sgc.state !== "talking" || !from) throw new CtiError(Errors.CALL_NOT_IN_CONVERSATION, `call ${callId} is ${sgc.state}`);
    if (options.agentCallId !== undefined && sgc.offer?.leg?.callId !== options.agentCallId) {
      throw new CtiError(Errors.CALL_NOT_IN_CONVERSATION, "the request came in an agent leg that no longer talks to the caller");
    }
    const log = this.#log.child({ callId, logonId: from.logonId, to, via });
    const result = (kind: TransferKind): TransferResult => {
      log.info({ kind }, "agent transferred the caller");
      return { callId, to, kind, logonId: from.logonId };
    };
    const release = (kind: "agent" | "number" | "serviceGroup", toLogonId?: string) =>
      distributor.releaseAgentForTransfer(callId, { to, kind, via, ...(toLogonId !== undefined ? { toLogonId } : {}) }, options.hangUpAgentLegAfter ? { hangUpAgentLegAfter: options.hangUpAgentLegAfter } : {});

    if (distributor.authenticationNumber !== undefined && to === distributor.authenticationNumber) {
      await distributor.divertToAuthentication(callId, "transfer");
      return result("authentication");
    }
    const bvd = this.#o.bvds.lookup(to);
    const access = bvd?.serviceAccess !== undefined ? distributor.serviceAccess(bvd.serviceAccess) : undefined;
    if (access) {
      release("serviceGroup");
      distributor.queueInGroup(callId, access.serviceGroup);
      return result("serviceGroup");
    }
    if (sgc.group.attendant) {
      const agent = release("number");
      this.#callNumber(sgc, agent, to, true);
      return result("attendant");
    }
    const target = this.#agentAt(to, from);
    if (target) {
      if (target.logonId === from.logonId) throw new CtiError(Errors.BAD_REQUEST, "an agent cannot transfer a call to itself");
      if (!isOfferable(target)) throw new CtiError(Errors.TRANSFER_TARGET_BUSY, `agent ${target.logonId} is ${target.state}`);
      release("agent", target.logonId);
      distributor.offerToAgent(callId, target.logonId);
      return result("agent");
    }
    const agent = release("number");
    this.#callNumber(sgc, agent, to, false);
    return result("number");
  }

  /**
   * A transfer that cannot be done after all (Asterisk's hairpin, whose rejection ends the agent's leg anyway): the
   * agent's part ends and the caller waits in its group's queue at its original place. Never throws.
   */
  backToQueue(callId: string, to: string, via: TransferVia): void {
    try {
      const sgc = this.#o.distributor.serviceGroupCall(callId);
      if (!sgc || sgc.state !== "talking") return;
      this.#o.distributor.releaseAgentForTransfer(callId, { to, kind: "serviceGroup", via });
      this.#o.distributor.queueInGroup(callId, sgc.group.id);
    } catch (e) {
      this.#log.warn({ callId, err: (e as Error).message }, "cannot put the caller back in its queue");
    }
  }

  close(): void {
    this.#o.bus.off("agent.stateChanged", this.#onAgentState);
    this.#gates.close();
  }

  /** Attendant transfers follow the five settings; other transfers to numbers go at once and never recall. */
  #callNumber(sgc: ServiceGroupCall, from: Agent, to: string, attendant: boolean): void {
    const settings = this.#o.attendant;
    const callManagerId = from.callManagerId;
    const tas = this.#o.callManagers.find((cm) => cm.id === callManagerId)?.type === "TAS";
    const bypass = attendant && settings.bypassDiversion && tas && settings.bypassDiversionCode !== undefined;
    const maintainQueue = attendant && settings.maintainQueue && !settings.exceptionList.includes(to);
    new NumberTransfer({
      sgc,
      from,
      to,
      dialed: bypass ? `${settings.bypassDiversionCode}${to}` : to,
      callManagerId,
      noAnswerMs: attendant ? settings.noAnswerTime : undefined,
      // Without maintain queue no recall is scheduled for no answer; a transfer waiting for its turn still gives up.
      recallOnNoAnswer: maintainQueue,
      gates: attendant ? this.#gates : undefined,
      distributor: this.#o.distributor,
      sip: this.#o.sip,
      media: this.#o.media,
      bus: this.#o.bus,
      logger: this.#log,
      onFailed: (reason, status) => (attendant ? this.#recall(sgc, from, to, reason, status) : this.#backToQueue(sgc, to, reason)),
    });
  }

  /** The manual's recall: back to the attendant agent who transferred it, or, if it is on another call, the queue. */
  #recall(sgc: ServiceGroupCall, attendant: Agent, to: string, reason: TransferFailure, status: number | undefined): void {
    if (sgc.state !== "routed") return; // the caller is gone
    this.#gates.recalled(to, sgc.callId);
    this.#o.bus.safeEmit("call.recalled", {
      ...sgc.eventBase, logonId: attendant.logonId, extension: attendant.extension, to, reason, ...(status !== undefined ? { sipStatus: status } : {}),
    });
    const now = this.#o.agents.get(attendant.logonId);
    if (now && isOfferable(now)) {
      this.#o.distributor.offerToAgent(sgc.callId, now.logonId);
    } else {
      this.#log.info({ callId: sgc.callId, logonId: attendant.logonId, state: now?.state ?? "loggedOff" }, "the attendant agent is not free: the recall waits in the group's queue");
      this.#o.distributor.queueInGroup(sgc.callId, sgc.group.id);
    }
  }

  #backToQueue(sgc: ServiceGroupCall, to: string, reason: TransferFailure): void {
    if (sgc.state !== "routed") return;
    this.#log.info({ callId: sgc.callId, to, reason }, "transfer destination not reached: the caller goes back to the queue");
    this.#o.distributor.queueInGroup(sgc.callId, sgc.group.id);
  }

  /** The agent at this extension: at the transferring agent's call manager first, then at any. */
  #agentAt(extension: string, from: Agent): Agent | undefined {
    return this.#o.agents.atExtension(from.callManagerId, extension) ?? this.#o.agents.all().find((a) => a.extension === extension);
  }

  #agentBusyAt(number: string): boolean {
    return this.#o.agents.all().some((a) => a.extension === number && ON_A_CALL.has(a.state));
  }
}

/** An agent a call can be offered to now: idle (ready or not) or in wrap-up. */
function isOfferable(agent: Agent): boolean {
  return agent.state === "idleReady" || agent.state === "idleNotReady" || agent.state === "clerical";
}
