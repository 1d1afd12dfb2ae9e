// One recorder's call into a conversation: the recorder INVITEs the recording URI, the bridge answers from a media
// endpoint of its own with `a=sendonly` (the recorder only listens), and the recording session seats that endpoint
// in the conversation's media room as a PASSIVE participant: it hears the active legs mixed, and whatever it sends
// is ignored.
//
//   INVITE ──► endpoint + SDP answer (sendonly) ──► 200 OK ──► seated by the session ──► BYE (either side) ──► ended
//     │ no SDP / no G.711 / the recorder offers to send only: 488       │ no media port: 503
// The endpoint is closed when the call ends; hangup() is idempotent.
import * as sdpTransform from "sdp-transform";
import type { Logger } from "../log.js";
import type { IncomingCall } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { prepareAnswer } from "../calls/answer-call.js";
import { TypedEmitter } from "../events/typed-emitter.js";

/** A join the bridge refuses, with the SIP answer the recorder gets and the reason recording.joinFailed carries. */
export class JoinRefused extends Error {
  constructor(
    readonly sipStatus: number,
    readonly sipReason: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "JoinRefused";
  }
}

export type RecorderCallEvents = {
  ended: [];
};

export class RecorderCall extends TypedEmitter<RecorderCallEvents> {
  readonly call: IncomingCall;
  readonly endpoint: MediaEndpoint;
  /** `host:port` the recorder's INVITE came from. */
  readonly recorder: string;
  #ended = false;

  private constructor(call: IncomingCall, endpoint: MediaEndpoint) {
    super();
    this.call = call;
    this.endpoint = endpoint;
    this.recorder = `${call.source.address}:${call.source.port}`;
    call.on("ended", () => this.#end());
    if (call.state === "ended") this.#end();
  }

  /**
   * Answers the recorder's INVITE with a send-only stream from a new media endpoint. Throws JoinRefused (the call
   * not yet answered: the caller rejects it with the status) when the offer cannot be answered or no port is free.
   */
  static async answer(call: IncomingCall, media: MediaServer, logger: Logger): Promise<RecorderCall> {
    const offer = call.remoteSdp;
    if (offer === undefined) throw new JoinRefused(488, "Not Acceptable Here", "the recorder's INVITE has no SDP offer");
    const prepared = await prepareAnswer(media, listeningOffer(offer));
    if ("refused" in prepared) throw new JoinRefused(prepared.refused.sipStatus, prepared.refused.sipReason, `recorder: ${prepared.refused.reason}`);
    const recorder = new RecorderCall(call, prepared.endpoint);
    try {
      await call.accept(prepared.answer);
    } catch (e) {
      logger.warn({ callId: call.callId, err: (e as Error).message }, "answering a recorder failed");
      void recorder.hangup();
    }
    return recorder;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** BYE (or a final answer, if not established yet); the endpoint is closed at once. Idempotent. */
  async hangup(): Promise<void> {
    this.endpoint.close();
    await this.call.hangup().catch(() => undefined);
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.endpoint.close();
    this.safeEmit("ended");
    this.removeAllListeners();
  }
}

/**
 * The recorder's offer as one that only receives, so the endpoint's answer says `a=sendonly` (RFC 3264 §6.1: the
 * answer to recvonly is sendonly). An offer to send only, or inactive, leaves the recorder nothing to hear: refused.
 */
export function listeningOffer(offerSdp: string): string {
  let offer: sdpTransform.SessionDescription;
  try {
    offer = sdpTransform.parse(offerSdp);
  } catch {
    throw new JoinRefused(488, "Not Acceptable Here", "the recorder's SDP offer cannot be parsed");
  }
  const sessionDirection = offer.direction;
  delete offer.direction;
  for (const m of offer.media ?? []) {
    const offered = m.direction ?? sessionDirection ?? "sendrecv";
    if (m.type === "audio" && m.port !== 0 && (offered === "sendonly" || offered === "inactive")) {
      throw new JoinRefused(488, "Not Acceptable Here", `the recorder offered a ${offered} stream: it must receive`);
    }
    m.direction = "recvonly";
  }
  return sdpTransform.write(offer);
}
