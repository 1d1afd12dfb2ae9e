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
import { connectCaller } from "../caller-connection.js";
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
  const connection = connectCaller({
    caller: call.caller,
    endpoint: call.endpoint,
    sip: o.sip,
    media: o.media,
    callManagerId: o.callManagerId,
    number,
    from: call.eventBase.caller,
    headers: call.outboundHeaders,
    ringLimitMs: o.ringLimitMs,
    logger: log,
    beforeJoin: () => {
      call.treatment?.stop();
      call.treatment = undefined;
      call.state = "routed";
    },
  });
  if (!(await connection.answered)) return false;
  call.room = connection.room;
  log.info("personal call deflected to its default destination");
  return true;
}
