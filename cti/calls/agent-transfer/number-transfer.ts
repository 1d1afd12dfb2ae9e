// One transfer of a caller to a number the bridge dials (an attendant's transfer, or an agent's transfer to a
// number that is not an agent): the caller waits with the group's music while the bridge calls the number with the
// caller's identity and the X-CTI headers, and is joined to it when it answers.
//
//   waiting (destination gate) ──► ringing ──200──► connected ──either side hangs up──► ended (call.cleared)
//      │                              │ busy / invalid / failed / no answer within noAnswerMs
//      └── no turn within noAnswerMs ─┴──► failed(reason): the owner recalls the attendant or requeues the caller
// The caller hanging up anywhere ends it (the number's leg is cancelled or cleared).
import type { Logger } from "../../log.js";
import type { EventBus } from "../../events/event-bus.js";
import type { SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import type { Agent } from "../../agents/agent.js";
import type { CallDistributor } from "../call-distributor.js";
import type { ServiceGroupCall } from "../service-group-call.js";
import { OutboundLeg } from "../outbound-leg.js";
import type { DestinationGates } from "./destination-gates.js";

export type TransferFailure = "busy" | "noAnswer" | "invalidNumber" | "failed";

export interface NumberTransferOptions {
  sgc: ServiceGroupCall;
  /** The agent who transferred (the recall goes back to it). */
  from: Agent;
  /** The number asked for. */
  to: string;
  /** The Request-URI user sent: `to`, with the bypass diversion code in front when that applies. */
  dialed: string;
  callManagerId: string;
  /** Give up when the number has not become free (gates) or answered within this; undefined: no limit. */
  noAnswerMs: number | undefined;
  /** false: once the number rings, the no-answer time no longer applies (ring until it answers or gives up). */
  recallOnNoAnswer: boolean;
  /** Attendant transfers wait their turn here; plain transfers go at once. */
  gates: DestinationGates | undefined;
  distributor: CallDistributor;
  sip: SipStack;
  media: MediaServer;
  bus: EventBus;
  logger: Logger;
  /** The transfer did not reach the number; the caller waits (routed) for the owner to move it. */
  onFailed: (reason: TransferFailure, sipStatus: number | undefined) => void;
}

type Stage = "waiting" | "ringing" | "connected" | "ended";

/** Starts at once; the caller's call and the number's leg are looked after until both are over. */
export class NumberTransfer {
  readonly #o: NumberTransferOptions;
  readonly #log: Logger;
  #stage: Stage = "waiting";
  #leg: OutboundLeg | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cancelWait: () => void = () => undefined;
  #answeredAt = 0;
  readonly #callerGone = (): void => this.#onCallerGone();

  constructor(options: NumberTransferOptions) {
    this.#o = options;
    this.#log = options.logger.child({ callId: options.sgc.callId, to: options.to });
    options.sgc.caller.on("ended", this.#callerGone);
    if (options.noAnswerMs !== undefined) {
      this.#timer = setTimeout(() => {
        if (this.#stage === "waiting" || options.recallOnNoAnswer) this.#fail(this.#stage === "waiting" ? "busy" : "noAnswer", undefined);
      }, options.noAnswerMs);
      this.#timer.unref();
    }
    if (options.gates) {
      this.#cancelWait = options.gates.request(options.to, options.sgc.callId, () => void this.#place());
      if (this.#stage === "waiting") this.#log.info({ waiting: options.gates.waiting(options.to) }, "attendant transfer waits for its destination");
    } else {
      void this.#place();
    }
  }

  get stage(): Stage {
    return this.#stage;
  }

  async #place(): Promise<void> {
    const { sgc } = this.#o;
    if (this.#stage !== "waiting") {
      this.#o.gates?.ended(this.#o.to, sgc.callId);
      return;
    }
    this.#stage = "ringing";
    let leg: OutboundLeg;
    try {
      leg = await OutboundLeg.dial({
        sip: this.#o.sip,
        media: this.#o.media,
        callManagerId: this.#o.callManagerId,
        target: this.#o.dialed,
        from: sgc.eventBase.caller,
        headers: sgc.outboundHeaders,
        ...(sgc.endpoint.codec ? { preferCodec: sgc.endpoint.codec } : {}),
        logger: this.#log,
      });
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, "cannot call the transfer destination");
      this.#o.gates?.ended(this.#o.to, sgc.callId);
      this.#fail("failed", undefined);
      return;
    }
    this.#leg = leg;
    if (this.#stage !== "ringing") {
      void leg.hangup();
      leg.once("ended", () => this.#o.gates?.ended(this.#o.to, sgc.callId));
      return;
    }
    this.#log.info({ dialed: this.#o.dialed, destinationCallId: leg.callId }, "calling the transfer destination");
    leg.once("answered", () => this.#connect());
    leg.once("ended", (reason, status) => this.#legEnded(reason, status));
  }

  #connect(): void {
    if (this.#stage !== "ringing") return;
    clearTimeout(this.#timer);
    this.#stage = "connected";
    this.#answeredAt = Date.now();
    this.#o.gates?.answered(this.#o.to, this.#o.sgc.callId);
    try {
      this.#o.distributor.joinCaller(this.#o.sgc.callId, this.#leg!.endpoint);
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, "the caller left before the destination answered");
      void this.#leg?.hangup();
    }
  }

  #legEnded(reason: string, status: number | undefined): void {
    const { sgc, to } = this.#o;
    this.#o.gates?.ended(to, sgc.callId);
    if (this.#stage === "connected") {
      this.#finish("agent");
      void sgc.caller.hangup();
    } else if (this.#stage === "ringing") {
      this.#fail(failureOf(reason, status), status);
    }
  }

  #onCallerGone(): void {
    const stage = this.#stage;
    if (stage === "ended") return;
    if (stage === "connected") {
      this.#finish("caller");
    } else {
      this.#stage = "ended";
      this.#cleanup();
      if (stage === "ringing") this.#o.gates?.abandoned(this.#o.to, this.#o.sgc.callId);
    }
    void this.#leg?.hangup();
  }

  /** Not reached: the leg is given up and the owner decides where the caller goes. */
  #fail(reason: TransferFailure, status: number | undefined): void {
    if (this.#stage !== "waiting" && this.#stage !== "ringing") return;
    this.#stage = "ended";
    this.#cleanup();
    void this.#leg?.hangup();
    this.#log.info({ reason, status }, "transfer destination not reached");
    this.#o.onFailed(reason, status);
  }

  /** The conversation with the number is over: the call's record names the transferring agent (the last agent). */
  #finish(releasedBy: "caller" | "agent"): void {
    this.#stage = "ended";
    this.#cleanup();
    const { sgc, from } = this.#o;
    this.#o.bus.safeEmit("call.cleared", { ...sgc.eventBase, logonId: from.logonId, extension: from.extension, releasedBy, talkMs: Date.now() - this.#answeredAt });
  }

  #cleanup(): void {
    clearTimeout(this.#timer);
    this.#cancelWait();
    this.#o.sgc.caller.off("ended", this.#callerGone);
  }
}

/** SIP final status → why a transfer destination was not reached. */
export function failureOf(_reason: string, status: number | undefined): TransferFailure {
  if (status === 486 || status === 600 || status === 603) return "busy";
  if (status === 404 || status === 484 || status === 604 || status === 410 || status === 416 || status === 485) return "invalidNumber";
  if (status === 408 || status === 480 || status === 487) return "noAnswer";
  return "failed";
}
