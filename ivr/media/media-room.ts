// A media room joins the RTP streams of a call's legs (DESIGN.md: a Call's Legs are joined in a Room).
//
// - Two ACTIVE participants (caller and agent) hear each other: every audio packet arriving on one is sent out of
//   the other to its negotiated address, relayed as it is when both legs use the same codec and converted byte by
//   byte (PCMU↔PCMA) when they do not. RFC 4733 telephone-events go across too, with the other leg's payload type
//   (dropped if that leg has no telephone-event), and are still reported as `dtmf` by the endpoint they came in
//   on. Comfort noise and payload types not negotiated are dropped. Each endpoint sends the packets as its own
//   stream (its SSRC, sequence, timestamps: see media-endpoint.ts), and while an endpoint plays prompts, relayed
//   packets to it are dropped: playback wins (music on hold to the caller, a whisper to the agent).
// - PASSIVE participants (recorders) hear the active ones mixed into one stream (room-mixer.ts); what they send is
//   ignored (counted as dropped).
//
// The room owns no endpoint: leave() and close() never close one (its call leg does), and an endpoint that closes
// leaves its room by itself, so nothing is ever sent on a closed socket.
//
//   open ──join()/leave()/endpoint closes──► open ──close()──► closed (every participant has left; join() throws)
import { CtiError, Errors } from "../../cti/errors.js";
import { TypedEmitter } from "../../cti/events/typed-emitter.js";
import type { Logger } from "../../cti/log.js";
import type { MediaEndpoint } from "./media-endpoint.js";
import {
  PAYLOAD_TELEPHONE_EVENT,
  RELAY_DROPPED,
  RELAY_SENT,
  roomSide,
  type EndpointRoomSide,
  type PayloadKind,
  type RelayOutcome,
  type RoomSeat,
} from "./media-room-link.js";
import { MixInput, RoomMixer } from "./room-mixer.js";

export type ParticipantRole = "active" | "passive";

export interface JoinOptions {
  role: ParticipantRole;
}

/** Why a participant left: leave(), its endpoint closed, or the room closed. */
export type LeaveReason = "left" | "endpointClosed" | "roomClosed";

export type MediaRoomEvents = {
  joined: [endpoint: MediaEndpoint, role: ParticipantRole];
  left: [endpoint: MediaEndpoint, reason: LeaveReason];
  close: [];
};

/** Active participants a room relays between; a third needs a conference mix, which rooms do not do. */
export const MAX_ACTIVE_PARTICIPANTS = 2;

/** One participant's place in the room: where its packets go. */
class Seat implements RoomSeat {
  /** The other active participant, when there are two. */
  peer: Seat | undefined;
  /** Where its audio waits to be mixed, while a passive participant listens. */
  mixInput: MixInput | undefined;
  readonly #passive: boolean;
  readonly #onEndpointClosed: (seat: Seat) => void;

  constructor(
    readonly endpoint: MediaEndpoint,
    readonly side: EndpointRoomSide,
    readonly role: ParticipantRole,
    onEndpointClosed: (seat: Seat) => void,
  ) {
    this.#passive = role === "passive";
    this.#onEndpointClosed = onEndpointClosed;
  }

  forward(packet: Buffer, kind: PayloadKind, start: number, end: number): RelayOutcome {
    if (this.#passive) return RELAY_DROPPED;
    const mix = this.mixInput;
    // Mixed first: relaying may convert the payload in place.
    if (mix !== undefined && kind !== PAYLOAD_TELEPHONE_EVENT) mix.write(packet, kind, start, end);
    const peer = this.peer;
    if (peer !== undefined) return peer.side.relay(packet, kind, start, end);
    return mix !== undefined && kind !== PAYLOAD_TELEPHONE_EVENT ? RELAY_SENT : RELAY_DROPPED;
  }

  endpointClosed(): void {
    this.#onEndpointClosed(this);
  }
}

export class MediaRoom extends TypedEmitter<MediaRoomEvents> {
  readonly #logger: Logger;
  readonly #seats = new Map<MediaEndpoint, Seat>();
  readonly #mixer = new RoomMixer();
  readonly #onEndpointClosed = (seat: Seat): void => this.#remove(seat, "endpointClosed");
  #closed = false;

  constructor(logger: Logger) {
    super();
    this.#logger = logger.child({ component: "media-room" });
    this.onListenerError = (event, error) => this.#logger.error({ err: error, event }, "media room listener threw");
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The participants, in the order they joined. */
  get participants(): Array<{ endpoint: MediaEndpoint; role: ParticipantRole }> {
    return [...this.#seats.values()].map(({ endpoint, role }) => ({ endpoint, role }));
  }

  roleOf(endpoint: MediaEndpoint): ParticipantRole | undefined {
    return this.#seats.get(endpoint)?.role;
  }

  /** A room with the two legs of a conversation joined as active participants. */
  static conversation(logger: Logger, a: MediaEndpoint, b: MediaEndpoint): MediaRoom {
    const room = new MediaRoom(logger);
    room.join(a, { role: "active" });
    room.join(b, { role: "active" });
    return room;
  }

  /**
   * Adds an endpoint (negotiated or not yet: packets flow once it is). Joining again with another role changes
   * the role. Throws BAD_REQUEST when the room is closed, the endpoint sits in another room, or two active
   * participants are already in; MEDIA_NOT_NEGOTIATED when the endpoint is closed.
   */
  join(endpoint: MediaEndpoint, options: JoinOptions = { role: "active" }): void {
    const { role } = options;
    if (this.#closed) throw new CtiError(Errors.BAD_REQUEST, "the media room is closed");
    if (endpoint.closed) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "the media endpoint is closed");
    const side = endpoint[roomSide];
    const current = this.#seats.get(endpoint);
    if (current?.role === role) return;
    if (current === undefined && side.seat !== undefined) {
      throw new CtiError(Errors.BAD_REQUEST, `RTP port ${endpoint.localPort} is already in another media room`);
    }
    const actives = [...this.#seats.values()].filter((s) => s.role === "active" && s !== current).length;
    if (role === "active" && actives >= MAX_ACTIVE_PARTICIPANTS) {
      throw new CtiError(Errors.BAD_REQUEST, `a media room relays between ${MAX_ACTIVE_PARTICIPANTS} active participants`);
    }
    if (current) this.#remove(current, "left");
    const seat = new Seat(endpoint, side, role, this.#onEndpointClosed);
    this.#seats.set(endpoint, seat);
    side.sit(seat);
    this.#rewire();
    this.#logger.debug({ rtpPort: endpoint.localPort, role, participants: this.#seats.size }, "joined media room");
    this.safeEmit("joined", endpoint, role);
  }

  /** Takes an endpoint out (it is not closed); false if it was not in the room. */
  leave(endpoint: MediaEndpoint): boolean {
    const seat = this.#seats.get(endpoint);
    if (!seat) return false;
    this.#remove(seat, "left");
    return true;
  }

  /** Every participant leaves (no endpoint is closed); the room relays nothing more. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const seat of [...this.#seats.values()]) this.#remove(seat, "roomClosed");
    this.#mixer.stop();
    this.safeEmit("close");
    this.removeAllListeners();
  }

  #remove(seat: Seat, reason: LeaveReason): void {
    if (this.#seats.get(seat.endpoint) !== seat) return;
    this.#seats.delete(seat.endpoint);
    if (seat.side.seat === seat) seat.side.sit(undefined);
    seat.peer = undefined;
    seat.mixInput = undefined;
    this.#rewire();
    this.#logger.debug({ rtpPort: seat.endpoint.localPort, reason, participants: this.#seats.size }, "left media room");
    this.safeEmit("left", seat.endpoint, reason);
  }

  /** Points every seat at where its packets go now (on join and leave only, never per packet). */
  #rewire(): void {
    const seats = [...this.#seats.values()];
    const actives = seats.filter((s) => s.role === "active");
    const passives = seats.filter((s) => s.role === "passive");
    const [a, b] = actives;
    if (a) a.peer = b;
    if (b) b.peer = a;
    const mixing = passives.length > 0;
    for (const seat of actives) {
      if (!mixing) seat.mixInput = undefined;
      else seat.mixInput ??= new MixInput();
    }
    if (mixing) {
      this.#mixer.set(
        actives.map((s) => s.mixInput!),
        passives.map((s) => s.side),
      );
    } else {
      this.#mixer.set([], []);
    }
  }
}
