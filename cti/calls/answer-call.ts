// Answering a call with a media endpoint of the bridge: the one way every incoming call the bridge takes is
// answered (IVR scripts, service group queues, recorders joining a conversation).
//
//   offer ──► media port + SDP answer ──► 200 OK ──► endpoint
//     │ no SDP / no codec: 488      │ no port: 503
import type { Logger } from "../log.js";
import type { IncomingCall } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";

/** Why an offer cannot be answered: the SIP answer the caller gets, and the reason for logs and events. */
export interface AnswerRefusal {
  sipStatus: number;
  sipReason: string;
  reason: string;
}

/**
 * Opens a media endpoint and answers `offer` (the INVITE's own, or a rewritten one) — or says why it cannot.
 * Sends no SIP: the caller accepts or rejects. The returned endpoint is the caller's to close.
 */
export async function prepareAnswer(
  media: MediaServer,
  offer: string | undefined,
): Promise<{ endpoint: MediaEndpoint; answer: string } | { refused: AnswerRefusal }> {
  // Offerless INVITEs are not supported: the bridge always answers an offer.
  if (!offer) return { refused: { sipStatus: 488, sipReason: "Not Acceptable Here", reason: "the INVITE has no SDP offer" } };
  let endpoint: MediaEndpoint;
  try {
    endpoint = await media.open();
  } catch (e) {
    return { refused: { sipStatus: 503, sipReason: "Service Unavailable", reason: `no free media port: ${(e as Error).message}` } };
  }
  try {
    return { endpoint, answer: endpoint.answer(offer) };
  } catch (e) {
    endpoint.close();
    return { refused: { sipStatus: 488, sipReason: "Not Acceptable Here", reason: `the offer cannot be answered: ${(e as Error).message}` } };
  }
}

/**
 * Answers the call with a new media endpoint, SIP INFO keys joined to the RTP ones, or rejects it with the fitting SIP
 * status and returns undefined. The caller owns the returned endpoint and closes it when the call ends.
 */
export async function answerWithMedia(call: IncomingCall, media: MediaServer, log: Logger): Promise<MediaEndpoint | undefined> {
  const prepared = await prepareAnswer(media, call.remoteSdp);
  if ("refused" in prepared) {
    log.warn({ sipStatus: prepared.refused.sipStatus, reason: prepared.refused.reason }, "call not answered");
    await call.reject(prepared.refused.sipStatus, prepared.refused.sipReason).catch(() => undefined);
    return undefined;
  }
  const { endpoint, answer } = prepared;
  // A hang-up stops any prompt so whoever plays sees the end at once.
  call.on("dtmf", (digit) => endpoint.injectDtmf(digit));
  call.on("ended", () => endpoint.stopPlayback());
  try {
    await call.accept(answer);
    return endpoint;
  } catch (e) {
    endpoint.close();
    log.warn({ err: (e as Error).message }, "answering a call failed");
    await call.hangup().catch(() => undefined);
    return undefined;
  }
}
