// Answering a caller with a media endpoint of the bridge: the one way every incoming call the bridge takes is
// answered (IVR scripts and service group queues alike).
//
//   offer ──► media port + SDP answer ──► 200 OK ──► endpoint (SIP INFO keys joined to RTP ones)
//     │ no SDP / no codec: 488      │ no port: 503
import type { Logger } from "../log.js";
import type { IncomingCall } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { isCtiError, Errors } from "../errors.js";

/**
 * Answers the call with a new media endpoint, or rejects it with the fitting SIP status and returns undefined.
 * The caller owns the returned endpoint and closes it when the call ends.
 */
export async function answerWithMedia(call: IncomingCall, media: MediaServer, log: Logger): Promise<MediaEndpoint | undefined> {
  if (!call.remoteSdp) {
    // Offerless INVITEs are not supported: the bridge always answers an offer.
    await call.reject(488, "Not Acceptable Here").catch(() => undefined);
    return undefined;
  }
  let endpoint: MediaEndpoint;
  try {
    endpoint = await media.open();
  } catch (e) {
    log.warn({ err: (e as Error).message }, "no media port for a call");
    await call.reject(503, "Service Unavailable").catch(() => undefined);
    return undefined;
  }
  try {
    const answer = endpoint.answer(call.remoteSdp);
    // SIP INFO keys join the RTP ones; a hang-up stops any prompt so whoever plays sees the end at once.
    call.on("dtmf", (digit) => endpoint.injectDtmf(digit));
    call.on("ended", () => endpoint.stopPlayback());
    await call.accept(answer);
    return endpoint;
  } catch (e) {
    endpoint.close();
    if (isCtiError(e, Errors.NO_COMMON_CODEC)) {
      await call.reject(488, "Not Acceptable Here").catch(() => undefined);
    } else {
      log.warn({ err: (e as Error).message }, "answering a call failed");
      await call.hangup().catch(() => undefined);
    }
    return undefined;
  }
}
