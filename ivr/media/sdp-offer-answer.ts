// SDP offer/answer (RFC 3264) for one audio stream, the bridge as answerer. The bridge speaks G.711 only:
// the first codec of the offer that is PCMU or PCMA wins (the caller's preference), its payload type is mirrored,
// and telephone-event (RFC 4733) is answered with the offer's payload type, or 101 when not offered (Asterisk
// sends its DTMF as 101 anyway, notes/asterisk-interop.md §2).
import * as sdpTransform from "sdp-transform";
import type { MediaDescription, SessionDescription } from "sdp-transform";
import { CtiError, Errors } from "../../cti/errors.js";

export type G711Codec = "PCMU" | "PCMA";
export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export const DEFAULT_TELEPHONE_EVENT_PT = 101;
export const PTIME_MS = 20;
const STATIC_PAYLOAD_TYPES: Record<number, G711Codec> = { 0: "PCMU", 8: "PCMA" };

/** What an offer and our answer agreed on, seen from the bridge. */
export interface NegotiatedMedia {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPayloadType: number;
  /** Where to send RTP; undefined when the offer holds the call with c=0.0.0.0. */
  remoteAddress: string | undefined;
  remotePort: number;
  /** Our direction in the answer: "recvonly" means the bridge must not send. */
  direction: MediaDirection;
}

export interface LocalMedia {
  address: string;
  port: number;
  sessionId: string;
  sessionVersion: number;
}

const ANSWER_DIRECTION: Record<MediaDirection, MediaDirection> = {
  sendrecv: "sendrecv",
  sendonly: "recvonly",
  recvonly: "sendonly",
  inactive: "inactive",
};

function codecOf(media: MediaDescription, pt: number): G711Codec | "telephone-event" | undefined {
  const rtpmap = media.rtp.find((r) => r.payload === pt);
  if (!rtpmap) return STATIC_PAYLOAD_TYPES[pt];
  if (rtpmap.rate !== undefined && rtpmap.rate !== 8000) return undefined;
  const name = rtpmap.codec.toUpperCase();
  if (name === "PCMU" || name === "PCMA") return name;
  if (name === "TELEPHONE-EVENT") return "telephone-event";
  return undefined;
}

function payloadTypes(media: MediaDescription): number[] {
  // sdp-transform turns a lone payload type into a number (0 for "m=audio 9 RTP/AVP 0")
  return media.payloads === undefined || media.payloads === "" ? [] : sdpTransform.parsePayloads(String(media.payloads));
}

function ipVersion(address: string): 4 | 6 {
  return address.includes(":") ? 6 : 4;
}

/**
 * Answers an SDP offer. Throws NO_COMMON_CODEC (the SIP layer answers 488) when no audio stream offers
 * PCMU or PCMA, BAD_REQUEST when the offer is not SDP.
 */
export function answerOffer(offerSdp: string, local: LocalMedia): { answer: string; media: NegotiatedMedia } {
  let offer: SessionDescription;
  try {
    offer = sdpTransform.parse(offerSdp);
  } catch (error) {
    throw new CtiError(Errors.BAD_REQUEST, "the SDP offer cannot be parsed", { cause: error });
  }
  if (!Array.isArray(offer.media) || offer.media.length === 0) {
    throw new CtiError(Errors.NO_COMMON_CODEC, "the offer has no media stream");
  }

  let chosen: { index: number; media: NegotiatedMedia } | undefined;
  for (let index = 0; index < offer.media.length && !chosen; index++) {
    const m = offer.media[index]!;
    if (m.type !== "audio" || m.port === 0 || !/^RTP\/AVP$/i.test(m.protocol)) continue;
    const pts = payloadTypes(m);
    const payloadType = pts.find((pt) => {
      const c = codecOf(m, pt);
      return c === "PCMU" || c === "PCMA";
    });
    if (payloadType === undefined) continue;
    const telephoneEvent = pts.find((pt) => codecOf(m, pt) === "telephone-event");
    const connection = m.connection ?? offer.connection;
    const remote = connection?.ip;
    const held = !remote || remote === "0.0.0.0" || remote === "::";
    const offered = (m.direction ?? offer.direction ?? "sendrecv") as MediaDirection;
    chosen = {
      index,
      media: {
        codec: codecOf(m, payloadType) as G711Codec,
        payloadType,
        telephoneEventPayloadType: telephoneEvent ?? DEFAULT_TELEPHONE_EVENT_PT,
        remoteAddress: held ? undefined : remote,
        remotePort: m.port,
        direction: ANSWER_DIRECTION[offered] ?? "sendrecv",
      },
    };
  }
  if (!chosen) throw new CtiError(Errors.NO_COMMON_CODEC, "the offer has no audio stream with PCMU or PCMA");

  const ipVer = ipVersion(local.address);
  const answer: SessionDescription = {
    version: 0,
    origin: {
      username: "ctibridge",
      sessionId: local.sessionId,
      sessionVersion: local.sessionVersion,
      netType: "IN",
      ipVer,
      address: local.address,
    },
    name: "ctibridge",
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    // Every offered stream gets a line in the answer (RFC 3264 §6); the ones we do not take are refused with port 0.
    media: offer.media.map((m, index): MediaDescription => {
      if (index !== chosen.index) {
        const pts = payloadTypes(m);
        return { type: m.type, port: 0, protocol: m.protocol, payloads: pts.length ? String(pts[0]) : "0", rtp: [], fmtp: [] };
      }
      const n = chosen.media;
      return {
        type: "audio",
        port: local.port,
        protocol: m.protocol,
        payloads: `${n.payloadType} ${n.telephoneEventPayloadType}`,
        rtp: [
          { payload: n.payloadType, codec: n.codec, rate: 8000 },
          { payload: n.telephoneEventPayloadType, codec: "telephone-event", rate: 8000 },
        ],
        fmtp: [{ payload: n.telephoneEventPayloadType, config: "0-16" }],
        ptime: PTIME_MS,
        direction: n.direction,
      };
    }),
  };
  return { answer: sdpTransform.write(answer), media: chosen.media };
}
