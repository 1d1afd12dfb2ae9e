// The bridge calls a number for a caller it has already answered (a queue's overflow to a number, a script's
// divert, a personal call's deflection to a default destination): with the caller's identity and codec, for at most
// the ring limit; when the number answers the two legs are joined in a media room, and from then on either side
// hanging up clears the other. A number that does not answer leaves the caller as it was.
//
//   connectCaller() ──INVITE──► ringing ──200──► joined (answered: true) ──either side hangs up──► ended, both cleared
//                                  └── refused / ring limit / cannot dial / caller gone ──► answered: false, ended
import type { Logger } from "../log.js";
import type { IncomingCall, SipStack } from "../sip/index.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import { MediaRoom } from "../../ivr/media/media-room.js";
import { OutboundLeg, type DialRequest } from "./outbound-leg.js";

export interface CallerConnectionRequest {
  caller: IncomingCall;
  /** The caller's leg in the bridge's media server. */
  endpoint: MediaEndpoint;
  sip: SipStack;
  media: MediaServer;
  callManagerId: string;
  number: string;
  /** Who the number sees calling: the caller. */
  from: DialRequest["from"];
  headers?: Record<string, string>;
  /** How long the number may ring. */
  ringLimitMs: number;
  /** Runs when the number answered, just before the legs are joined (stop the caller's queue music, say). */
  beforeJoin?: () => void;
  logger: Logger;
}

export interface CallerConnection {
  /** True once the number answered and the legs are joined; false when it never did (the caller is untouched). */
  readonly answered: Promise<boolean>;
  /** The number's leg is over; when it had answered, the caller has been hung up as well. */
  readonly ended: Promise<void>;
  /** The conversation, once joined. */
  readonly room: MediaRoom | undefined;
}

export function connectCaller(r: CallerConnectionRequest): CallerConnection {
  let room: MediaRoom | undefined;
  let settleAnswered!: (answered: boolean) => void;
  const answered = new Promise<boolean>((resolve) => (settleAnswered = resolve));
  const ended = run().finally(() => settleAnswered(false));
  return {
    answered,
    ended,
    get room() {
      return room;
    },
  };

  async function run(): Promise<void> {
    // A function, not a narrowed property: the caller can hang up at every await.
    const callerGone = (): boolean => r.caller.state === "ended";
    if (callerGone()) return;
    let leg: OutboundLeg;
    try {
      leg = await OutboundLeg.dial({
        sip: r.sip,
        media: r.media,
        callManagerId: r.callManagerId,
        target: r.number,
        from: r.from,
        ...(r.headers ? { headers: r.headers } : {}),
        ...(r.endpoint.codec ? { preferCodec: r.endpoint.codec } : {}),
        logger: r.logger,
      });
    } catch (e) {
      r.logger.warn({ number: r.number, err: (e as Error).message }, "cannot call the number for the caller");
      return;
    }
    const hangupLeg = (): void => void leg.hangup();
    r.caller.on("ended", hangupLeg);
    if (callerGone()) hangupLeg();
    const limit = setTimeout(hangupLeg, r.ringLimitMs);
    limit.unref();
    leg.once("answered", () => {
      clearTimeout(limit);
      if (callerGone()) return;
      r.beforeJoin?.();
      room = MediaRoom.conversation(r.logger, r.endpoint, leg.endpoint);
      settleAnswered(true);
    });
    const [reason, status] = await new Promise<[string, number | undefined]>((resolve) => leg.once("ended", (why, code) => resolve([why, code])));
    clearTimeout(limit);
    r.caller.off("ended", hangupLeg);
    room?.close();
    if (room) {
      if (!callerGone()) await r.caller.hangup().catch(() => undefined);
    } else {
      r.logger.info({ number: r.number, reason, status }, "the number did not take the caller");
    }
  }
}
