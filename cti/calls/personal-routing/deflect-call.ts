// Deflecting a personal call to a default destination (the agent's "Default Destination for personal calls", then
// the system default destination). The bridge has answered the caller already, so it calls the destination with the
// caller's identity and codec and joins the two legs once it answers. Busy, rejected, unreachable or not answered
// within the ring limit counts as "the deflection failed" and the caller keeps waiting for the next step.
//
//   deflectCall() ──INVITE──► ringing ──200──► joined (true) ──either side hangs up──► both legs cleared
//                     └── 4xx-6xx / ring limit / cannot dial ──► false (the caller still waits, music on)
import type { Logger } from "../../log.js";
import type { SipStack } from "../../sip/index.js";
import type { MediaServer } from "../../../ivr/media/media-server.js";
import { MediaRoom } from "../../../ivr/media/media-room.js";
import { OutboundLeg } from "../outbound-leg.js";
import type { ServiceGroupCall } from "../service-group-call.js";

export interface DeflectOptions {
  sip: SipStack;
  media: MediaServer;
  /** Call manager the destination is called through (the caller's). */
  callManagerId: string;
  /** How long the destination may ring before the deflection counts as failed. */
  ringLimitMs: number;
  logger: Logger;
}

/** Resolves true once the destination answered (the call is then the two joined legs), false when it failed. */
export async function deflectCall(call: ServiceGroupCall, number: string, o: DeflectOptions): Promise<boolean> {
  const log = o.logger.child({ callId: call.callId, destination: number });
  const callerGone = (): boolean => call.caller.state === "ended";
  if (callerGone()) return false;
  let leg: OutboundLeg;
  try {
    leg = await OutboundLeg.dial({
      sip: o.sip,
      media: o.media,
      callManagerId: o.callManagerId,
      target: number,
      from: call.eventBase.caller,
      headers: call.outboundHeaders,
      ...(call.endpoint.codec ? { preferCodec: call.endpoint.codec } : {}),
      logger: log,
    });
  } catch (e) {
    log.warn({ err: (e as Error).message }, "cannot deflect the personal call");
    return false;
  }
  const hangupLeg = (): void => void leg.hangup();
  call.caller.on("ended", hangupLeg);
  if (callerGone()) hangupLeg();
  return new Promise<boolean>((resolve) => {
    const limit = setTimeout(hangupLeg, o.ringLimitMs);
    limit.unref();
    leg.once("answered", () => {
      clearTimeout(limit);
      if (callerGone()) return;
      call.treatment?.stop();
      call.treatment = undefined;
      call.state = "routed";
      call.room = MediaRoom.conversation(log, call.endpoint, leg.endpoint);
      log.info("personal call deflected to its default destination");
      resolve(true);
    });
    leg.once("ended", (reason, status) => {
      clearTimeout(limit);
      call.caller.off("ended", hangupLeg);
      if (leg.answered) {
        if (!callerGone()) void call.caller.hangup();
      } else {
        log.info({ reason, status }, "the default destination did not take the personal call");
      }
      resolve(leg.answered);
    });
  });
}
