// What a MediaEndpoint and the MediaRoom it sits in tell each other, packet by packet. Internal to ivr/media: the
// endpoint's side hangs off the `roomSide` symbol, so it stays out of the endpoint's public surface.
//
//   phone A ─RTP─► endpoint A #receive ─► seat.forward() ─► endpoint B side.relay() ─RTP─► phone B
//                                              └─► mixer (when a passive participant listens) ─► side.sendMixed()
import type { PlaybackScheduler } from "./playback-scheduler.js";
import type { G711Codec } from "./sdp-offer-answer.js";

/** What an incoming payload type carries on its leg. Numbers, so the per-packet lookup is one typed-array read. */
export const PAYLOAD_UNKNOWN = 0;
export const PAYLOAD_PCMU = 1;
export const PAYLOAD_PCMA = 2;
export const PAYLOAD_TELEPHONE_EVENT = 3;
export type PayloadKind = typeof PAYLOAD_UNKNOWN | typeof PAYLOAD_PCMU | typeof PAYLOAD_PCMA | typeof PAYLOAD_TELEPHONE_EVENT;

export const PAYLOAD_KIND_OF_CODEC: Readonly<Record<G711Codec, PayloadKind>> = { PCMU: PAYLOAD_PCMU, PCMA: PAYLOAD_PCMA };

/** What became of a packet handed to the room. */
export const RELAY_DROPPED = 0;
export const RELAY_SENT = 1;
export const RELAY_TRANSCODED = 2;
export type RelayOutcome = typeof RELAY_DROPPED | typeof RELAY_SENT | typeof RELAY_TRANSCODED;

/** The room's side, held by an endpoint while it is in the room. */
export interface RoomSeat {
  /**
   * A packet arrived at the endpoint: its payload is `packet[payloadStart..payloadEnd)` of the given kind (never
   * PAYLOAD_UNKNOWN). The room may rewrite the packet in place and send it on: the buffer is the endpoint's no more.
   */
  forward(packet: Buffer, kind: PayloadKind, payloadStart: number, payloadEnd: number): RelayOutcome;
  /** The endpoint closed: the room lets it go and sends to it no more. */
  endpointClosed(): void;
}

/** The endpoint's side, used by the room. */
export interface EndpointRoomSide {
  /** Takes (or, with undefined, gives up) a seat; an endpoint sits in at most one room. */
  sit(seat: RoomSeat | undefined): void;
  readonly seat: RoomSeat | undefined;
  /**
   * Sends a packet that arrived on another leg out of this endpoint, as part of this endpoint's own RTP stream
   * (its SSRC, sequence numbers and timestamps), converting the payload in place when the codecs differ.
   */
  relay(packet: Buffer, kind: PayloadKind, payloadStart: number, payloadEnd: number): RelayOutcome;
  /** Sends one 20 ms frame of linear samples (a mix), encoded in this endpoint's codec; false when it cannot send. */
  sendMixed(samples: Int16Array): boolean;
  /** The clock that paces this endpoint's own frames. */
  readonly scheduler: PlaybackScheduler;
}

export const roomSide: unique symbol = Symbol("ctibridge.media.roomSide");
