// SDP offer/answer (RFC 3264) for one audio stream. The bridge speaks G.711 only.
// As answerer (a call comes in): the first codec of the offer that is PCMU or PCMA wins (the caller's preference),
// its payload type is mirrored, and telephone-event (RFC 4733) is answered with the offer's payload type, or 101
// when not offered (Asterisk sends its DTMF as 101 anyway, notes/asterisk-interop.md §2).
// As offerer (the bridge calls an agent): PCMU, PCMA (either first) and telephone-event 101; the answer's first
// G.711 codec wins, and telephone-event is used only if the answer kept it.
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
  /** What the bridge sends. */
  codec: G711Codec;
  payloadType: number;
  /** Every G.711 payload type the remote side may send, the chosen one first (an answer may keep both codecs). */
  receivePayloadTypes: ReadonlyArray<{ payloadType: number; codec: G711Codec }>;
  /** undefined when the remote side's answer left telephone-event out: it cannot take RFC 4733 digits. */
  telephoneEventPayloadType: number | undefined;
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

export interface OfferOptions {
  /** The codec listed first (the remote side's preference decides, RFC 3264 §6.1); default PCMU. */
  prefer?: G711Codec;
}

/** The other side's direction seen from ours (sendonly there is recvonly here). */
const MIRRORED_DIRECTION: Record<MediaDirection, MediaDirection> = {
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
        receivePayloadTypes: [{ payloadType, codec: codecOf(m, payloadType) as G711Codec }],
        telephoneEventPayloadType: telephoneEvent ?? DEFAULT_TELEPHONE_EVENT_PT,
        remoteAddress: held ? undefined : remote,
        remotePort: m.port,
        direction: MIRRORED_DIRECTION[offered] ?? "sendrecv",
      },
    };
  }
  if (!chosen) throw new CtiError(Errors.NO_COMMON_CODEC, "the offer has no audio stream with PCMU or PCMA");

  const answer: SessionDescription = {
    ...sessionLines(local),
    // Every offered stream gets a line in the answer (RFC 3264 §6); the ones we do not take are refused with port 0.
    media: offer.media.map((m, index): MediaDescription => {
      if (index !== chosen.index) {
        const pts = payloadTypes(m);
        return { type: m.type, port: 0, protocol: m.protocol, payloads: pts.length ? String(pts[0]) : "0", rtp: [], fmtp: [] };
      }
      const n = chosen.media;
      const telephoneEvent = n.telephoneEventPayloadType ?? DEFAULT_TELEPHONE_EVENT_PT;
      return {
        type: "audio",
        port: local.port,
        protocol: m.protocol,
        payloads: `${n.payloadType} ${telephoneEvent}`,
        rtp: [
          { payload: n.payloadType, codec: n.codec, rate: 8000 },
          { payload: telephoneEvent, codec: "telephone-event", rate: 8000 },
        ],
        fmtp: [{ payload: telephoneEvent, config: "0-16" }],
        ptime: PTIME_MS,
        direction: n.direction,
      };
    }),
  };
  return { answer: sdpTransform.write(answer), media: chosen.media };
}

/** The session-level lines of every SDP the bridge writes. */
function sessionLines(local: LocalMedia): Omit<SessionDescription, "media"> {
  const ipVer = ipVersion(local.address);
  return {
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
  };
}

const OFFERED_PAYLOAD_TYPES: Record<G711Codec, number> = { PCMU: 0, PCMA: 8 };

/** An SDP offer for one sendrecv audio stream: PCMU and PCMA (static payload types 0 and 8) and telephone-event 101. */
export function createOffer(local: LocalMedia, options: OfferOptions = {}): string {
  const codecs: G711Codec[] = options.prefer === "PCMA" ? ["PCMA", "PCMU"] : ["PCMU", "PCMA"];
  const pts = codecs.map((codec) => OFFERED_PAYLOAD_TYPES[codec]);
  const te = DEFAULT_TELEPHONE_EVENT_PT;
  const offer: SessionDescription = {
    ...sessionLines(local),
    media: [
      {
        type: "audio",
        port: local.port,
        protocol: "RTP/AVP",
        payloads: [...pts, te].join(" "),
        rtp: [
          ...codecs.map((codec, i) => ({ payload: pts[i]!, codec, rate: 8000 })),
          { payload: te, codec: "telephone-event", rate: 8000 },
        ],
        fmtp: [{ payload: te, config: "0-16" }],
        ptime: PTIME_MS,
        direction: "sendrecv",
      },
    ],
  };
  return sdpTransform.write(offer);
}

/**
 * Reads the answer to an offer made by createOffer(): the first G.711 codec of the answer is what the bridge
 * sends, telephone-event is the answer's payload type (or none), the remote address and port are the answer's.
 * Throws NO_COMMON_CODEC when the audio stream was refused (port 0) or the answer has neither PCMU nor PCMA,
 * BAD_REQUEST when it is not SDP.
 */
export function applyAnswer(answerSdp: string): NegotiatedMedia {
  let answer: SessionDescription;
  try {
    answer = sdpTransform.parse(answerSdp);
  } catch (error) {
    throw new CtiError(Errors.BAD_REQUEST, "the SDP answer cannot be parsed", { cause: error });
  }
  // We offered one stream, so the answer's first m-line is its answer (RFC 3264 §6: same order, same count).
  const m = Array.isArray(answer.media) ? answer.media[0] : undefined;
  if (!m || m.type !== "audio") throw new CtiError(Errors.NO_COMMON_CODEC, "the answer has no audio stream");
  if (m.port === 0) throw new CtiError(Errors.NO_COMMON_CODEC, "the answer refused the audio stream (port 0)");
  const pts = payloadTypes(m);
  const receivePayloadTypes: Array<{ payloadType: number; codec: G711Codec }> = [];
  let telephoneEvent: number | undefined;
  for (const pt of pts) {
    const codec = codecOf(m, pt);
    if (codec === "PCMU" || codec === "PCMA") receivePayloadTypes.push({ payloadType: pt, codec });
    else if (codec === "telephone-event" && telephoneEvent === undefined) telephoneEvent = pt;
  }
  const chosen = receivePayloadTypes[0];
  if (!chosen) throw new CtiError(Errors.NO_COMMON_CODEC, `the answer has neither PCMU nor PCMA (payload types ${pts.join(" ") || "none"})`);
  const remote = (m.connection ?? answer.connection)?.ip;
  const held = !remote || remote === "0.0.0.0" || remote === "::";
  const answered = (m.direction ?? answer.direction ?? "sendrecv") as MediaDirection;
  return {
    codec: chosen.codec,
    payloadType: chosen.payloadType,
    receivePayloadTypes,
    telephoneEventPayloadType: telephoneEvent,
    remoteAddress: held ? undefined : remote,
    remotePort: m.port,
    direction: MIRRORED_DIRECTION[answered] ?? "sendrecv",
  };
}
