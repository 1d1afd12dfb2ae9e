// A call the bridge places for a caller it holds (to an agent's extension, or to an overflow number): a media
// endpoint of its own with an SDP offer that puts the caller's codec first (so the media room can relay without
// transcoding), and the SIP dialog to the call manager.
//
//   dial() ──► calling ──180/183──► ringing ──200──► answered ──BYE (either side)──► ended
//                 └──────────── 3xx-6xx / CANCEL (hangup()) / timeout ──────────────────►┘
// The endpoint is closed when the leg ends; hangup() is idempotent.
import type { Logger } from "../log.js";
import type { IncomingRefer, OutgoingCall, OutgoingCallEnd, SipStack } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { G711Codec } from "../../ivr/media/sdp-offer-answer.js";
import { TypedEmitter } from "../events/typed-emitter.js";

export interface DialRequest {
  sip: SipStack;
  media: MediaServer;
  callManagerId: string;
  target: string;
  from: { number: string; name?: string };
  headers?: Record<string, string>;
  /** Codec offered first: the caller's, so the two legs usually agree. */
  preferCodec?: G711Codec;
  logger: Logger;
}

export type OutboundLegEvents = {
  ringing: [];
  answered: [];
  ended: [reason: OutgoingCallEnd, status: number | undefined];
  /** A REFER from the called phone (agent-transfer/ handles it); without a listener it is declined. */
  transferRequested: [refer: IncomingRefer];
};

export class OutboundLeg extends TypedEmitter<OutboundLegEvents> {
  readonly endpoint: MediaEndpoint;
  readonly call: OutgoingCall;
  #answered = false;
  #ended = false;

  private constructor(endpoint: MediaEndpoint, call: OutgoingCall, logger: Logger) {
    super();
    this.endpoint = endpoint;
    this.call = call;
    this.onListenerError = (event, error) => logger.error({ err: error, event, callId: call.callId }, "outbound leg listener failed");
    call.on("ringing", () => this.safeEmit("ringing"));
    call.on("dtmf", (digit) => endpoint.injectDtmf(digit));
    call.on("transferRequested", (refer) => {
      if (this.listenerCount("transferRequested") === 0) void refer.reject(603, "Declined");
      else this.safeEmit("transferRequested", refer);
    });
    call.on("answered", (sdp) => {
      try {
        endpoint.acceptAnswer(sdp);
      } catch (e) {
        logger.warn({ err: (e as Error).message, callId: call.callId }, "the called phone's SDP answer is not usable; hanging up");
        void this.hangup();
        return;
      }
      this.#answered = true;
      this.safeEmit("answered");
    });
    call.on("ended", (reason, status) => {
      this.#ended = true;
      endpoint.close();
      this.safeEmit("ended", reason, status);
    });
  }

  /** Opens a media endpoint and sends the INVITE. Throws MEDIA_PORTS_EXHAUSTED / CALL_MANAGER_UNKNOWN. */
  static async dial(request: DialRequest): Promise<OutboundLeg> {
    const endpoint = await request.media.open();
    try {
      const sdpOffer = endpoint.offer(request.preferCodec ? { prefer: request.preferCodec } : {});
      const call = request.sip.call({
        callManagerId: request.callManagerId,
        target: request.target,
        from: request.from,
        sdpOffer,
        ...(request.headers ? { headers: request.headers } : {}),
      });
      return new OutboundLeg(endpoint, call, request.logger);
    } catch (e) {
      endpoint.close();
      throw e;
    }
  }

  get callId(): string {
    return this.call.callId;
  }

  get answered(): boolean {
    return this.#answered;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** CANCEL while ringing, BYE when answered; the endpoint closes when the dialog has ended. Idempotent. */
  hangup(): Promise<void> {
    return this.call.hangup();
  }
}
