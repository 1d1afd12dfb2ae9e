// Attended transfer of a service group call (manual: "Transfer of Service Group Voice Calls" — "transferred … after it
// is answered by the target agent"). Agent A, talking to the caller through the bridge, consults B with a call of its
// own through the call manager (the bridge never sees it), then completes the transfer on its phone: a REFER in the
// bridge's leg to A whose Refer-To carries `?Replaces=<consultation dialog>` (RFC 5589). The bridge sends B an INVITE
// with that Replaces header (RFC 3891), the caller's identity and the X-CTI headers; B's phone swaps the consultation
// call for it (and BYEs A's consultation leg itself).
//
//   REFER ──checks──► 202, NOTIFY 100 ──INVITE+Replaces to B──► 200: A released (NOTIFY 200, then BYE to A, after-call
//     │                                      │                     state), caller ↔ B; B an agent: a service group
//     │                                      │                     call on B (talking, call.established); else the
//     │                                      │                     number's conversation (ends with call.cleared)
//     │                                      └─ 3xx-6xx / no answer within the ring time: NOTIFY with B's status;
//     │                                         A keeps the caller, B back to the idle state it had
//     └─ 400 (no number, unreadable Replaces, A itself), 481 (not A's conversation), 486 (B on a call): refused
// Until B answers, the conversation with A goes on; the caller or A hanging up meanwhile ends the attempt (B's leg
// is cancelled or hung up, B back to idle).
import type { Logger } from "../../log.js";
import type { EventBus } from "../../events/event-bus.js";
import type { IncomingRefer, SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import type { AgentRegistry } from "../../agents/agent-registry.js";
import type { Agent } from "../../agents/agent.js";
import { Errors, isCtiError } from "../../errors.js";
import type { CallDistributor } from "../call-distributor.js";
import type { ServiceGroupCall } from "../service-group-call.js";
import { OutboundLeg } from "../outbound-leg.js";

export interface AttendedTransfersOptions {
  distributor: CallDistributor;
  agents: AgentRegistry;
  sip: SipStack;
  media: MediaServer;
  bus: EventBus;
  logger: Logger;
  /** The agent at a number (the transferring agent's call manager first); undefined: the number is not an agent. */
  agentAt: (number: string, from: Agent) => Agent | undefined;
}

/** The transferring agent's leg is hung up this long after the final NOTIFY at the latest, answered or not. */
const NOTIFY_ANSWER_WAIT_MS = 2000;

type Outcome = { kind: "answered" } | { kind: "failed"; status: number } | { kind: "aborted"; why: string };

export class AttendedTransfers {
  readonly #o: AttendedTransfersOptions;
  readonly #log: Logger;

  constructor(options: AttendedTransfersOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "transfer" });
  }

  /**
   * Carries out a REFER with Replaces that came in `agentCallId`, the agent leg of the caller's call `callId`. Never
   * throws: a transfer it cannot attempt is refused, an attempt that fails is reported to the phone by NOTIFY.
   */
  async complete(callId: string, agentCallId: string, refer: IncomingRefer): Promise<void> {
    const log = this.#log.child({ callId, referTo: refer.referTo, attended: true });
    const dialog = refer.replacesDialog;
    if (!dialog || refer.target === "") {
      log.info("REFER with Replaces refused: no number or unreadable Replaces");
      await refer.reject(400, dialog ? "Refer-To Without A Number" : "Bad Replaces");
      return;
    }
    const { distributor } = this.#o;
    const sgc = distributor.serviceGroupCall(callId);
    const from = sgc?.offer?.agent;
    if (!sgc || !from || sgc.state !== "talking" || sgc.offer?.leg?.callId !== agentCallId) {
      await refer.reject(481, "Call Does Not Exist");
      return;
    }
    const target = this.#o.agentAt(refer.target, from);
    if (target?.logonId === from.logonId) {
      await refer.reject(400, "Bad Transfer Target");
      return;
    }
    let undoReservation = (): void => undefined;
    if (target) {
      try {
        undoReservation = distributor.reserveForTransfer(target.logonId);
      } catch (e) {
        log.info({ err: (e as Error).message, toLogonId: target.logonId }, "REFER with Replaces refused: the target agent is not idle");
        await refer.reject(486, "Busy Here");
        return;
      }
    }
    await refer.accept();
    if (distributor.serviceGroupCall(callId)?.offer?.leg?.callId !== agentCallId) {
      // The caller or the agent hung up while the 202 went out: nothing to transfer any more.
      undoReservation();
      await refer.notifyFinal(487, "Request Terminated");
      return;
    }

    let leg: OutboundLeg;
    try {
      leg = await OutboundLeg.dial({
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: target?.callManagerId ?? from.callManagerId,
        target: refer.target,
        from: sgc.eventBase.caller,
        headers: { ...sgc.outboundHeaders, Replaces: dialog.header, ...(refer.referredBy !== undefined ? { "Referred-By": refer.referredBy } : {}) },
        ...(sgc.endpoint.codec ? { preferCodec: sgc.endpoint.codec } : {}),
        logger: log,
      });
    } catch (e) {
      log.warn({ err: (e as Error).message }, "cannot send the INVITE with Replaces");
      undoReservation();
      const status = isCtiError(e, Errors.MEDIA_PORTS_EXHAUSTED) || isCtiError(e, Errors.SIP_TRANSPORT) ? 503 : 500;
      await refer.notifyFinal(status, reasonPhrase(status));
      return;
    }
    log.info({ to: refer.target, toLogonId: target?.logonId, replaces: dialog.header, legCallId: leg.callId }, "INVITE with Replaces sent to the transfer target");
    const outcome = await this.#outcome(sgc, agentCallId, leg, distributor.ringTimeFor(sgc.group));

    if (outcome.kind !== "answered") {
      undoReservation();
      void leg.hangup();
      if (outcome.kind === "failed") {
        log.info({ status: outcome.status }, "the target did not take the call with Replaces; the transferring agent keeps the caller");
        await refer.notifyFinal(outcome.status, reasonPhrase(outcome.status));
      } else {
        log.info({ why: outcome.why }, "attended transfer given up");
        await refer.notifyFinal(487, "Request Terminated");
      }
      return;
    }

    // The target has the call: the transferring agent learns it (NOTIFY 200), then its leg is hung up.
    const lastNotify = refer.notifyFinal(200, "OK");
    const notifyAnswered = Promise.race([lastNotify, new Promise<void>((resolve) => setTimeout(resolve, NOTIFY_ANSWER_WAIT_MS).unref())]);
    try {
      distributor.releaseAgentForTransfer(
        callId,
        { to: refer.target, kind: target ? "agent" : "number", via: "refer", attended: true, ...(target ? { toLogonId: target.logonId } : {}) },
        { hangUpAgentLegAfter: notifyAnswered },
      );
      if (target) distributor.connectTransferredAgent(callId, target.logonId, leg);
      else this.#connectNumber(sgc, from, leg);
    } catch (e) {
      // The caller or the target went at the very moment of the answer.
      log.warn({ err: (e as Error).message }, "attended transfer could not be completed");
      undoReservation();
      void leg.hangup();
      if (distributor.serviceGroupCall(callId)?.state === "routed") void sgc.caller.hangup(); // nobody to talk to
      return;
    }
    log.info({ toLogonId: target?.logonId }, "attended transfer completed");
    await lastNotify;
  }

  /** Waits for the target's answer or failure; the caller or the transferring agent leaving ends the wait. */
  #outcome(sgc: ServiceGroupCall, agentCallId: string, leg: OutboundLeg, limitMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const agentLeg = sgc.offer?.leg;
      const done = (o: Outcome): void => {
        clearTimeout(timer);
        leg.off("answered", onAnswered);
        leg.off("ended", onEnded);
        sgc.caller.off("ended", onCallerGone);
        agentLeg?.off("ended", onAgentGone);
        resolve(o);
      };
      const onAnswered = (): void => {
        // Still the conversation the REFER came from?
        if (sgc.state === "talking" && sgc.offer?.leg?.callId === agentCallId) done({ kind: "answered" });
        else done({ kind: "aborted", why: "the conversation ended before the target answered" });
      };
      const onEnded = (_reason: string, status: number | undefined): void => done({ kind: "failed", status: status ?? 500 });
      const onCallerGone = (): void => done({ kind: "aborted", why: "the caller hung up" });
      const onAgentGone = (): void => done({ kind: "aborted", why: "the transferring agent hung up" });
      const timer = setTimeout(() => done({ kind: "failed", status: 408 }), limitMs);
      timer.unref();
      leg.once("answered", onAnswered);
      leg.once("ended", onEnded);
      sgc.caller.on("ended", onCallerGone);
      agentLeg?.once("ended", onAgentGone);
    });
  }

  /**
   * The target is not an agent: the caller talks to the number in the bridge's media room (a number transfer); the
   * call's record keeps the transferring agent, and the conversation ends with call.cleared.
   */
  #connectNumber(sgc: ServiceGroupCall, from: Agent, leg: OutboundLeg): void {
    this.#o.distributor.joinCaller(sgc.callId, leg.endpoint);
    const answeredAt = Date.now();
    let over = false;
    const finish = (releasedBy: "caller" | "agent"): void => {
      if (over) return;
      over = true;
      sgc.caller.off("ended", onCallerGone);
      this.#o.bus.safeEmit("call.cleared", { ...sgc.eventBase, logonId: from.logonId, extension: from.extension, releasedBy, talkMs: Date.now() - answeredAt });
    };
    const onCallerGone = (): void => {
      finish("caller");
      void leg.hangup();
    };
    sgc.caller.on("ended", onCallerGone);
    leg.once("ended", () => {
      finish("agent");
      void sgc.caller.hangup();
    });
  }
}

/** The reason phrase of a final status, for the NOTIFY's message/sipfrag status line. */
function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 600 ? "Global Failure" : status >= 500 ? "Server Error" : "Request Failed");
}

const REASONS: Record<number, string> = {
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist",
  486: "Busy Here",
  487: "Request Terminated",
  488: "Not Acceptable Here",
  500: "Server Internal Error",
  503: "Service Unavailable",
  600: "Busy Everywhere",
  603: "Decline",
};
