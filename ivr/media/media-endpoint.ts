// One RTP stream of a call leg, anchored in the bridge (TAS model): it answers the leg's SDP offer (or makes one
// when the bridge calls out), plays prompts as G.711 RTP paced by the server's shared 20 ms clock, and turns
// RFC 4733 events (or SIP INFO digits handed in by the SIP layer) into `dtmf` events.
//
//   open (MediaServer.open) ─┬─answer(offer)─────────────────┬─► negotiated ──play()/stopPlayback()/answer(re-offer)──► … ──close()──► closed
//                            └─offer() ··· acceptAnswer(answer)┘
//
// Everything a packet does on the way out reuses one buffer per endpoint; everything on the way in goes through
// #receive(), which hands it to the endpoint's MediaRoom, if any (media-room-link.ts).
//
// Whatever the source (prompt, relayed leg, mix), the remote side sees ONE RTP stream from the endpoint: one SSRC,
// sequence numbers that continue, timestamps on one clock. A relayed leg's own SSRC/sequence/timestamps are mapped
// into it (offsets fixed when the source changes), so a phone never sees an SSRC change mid-call (some jitter
// buffers stumble on one) yet upstream loss still shows as a sequence gap. Each switch of source starts a talk
// spurt: marker bit set, timestamp jumped over the silence (RFC 3550 §5.1, RFC 3551 §4.1).
import type { Socket } from "node:dgram";
import { randomBytes, randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { CtiError, Errors } from "../../cti/errors.js";
import type { Logger } from "../../cti/log.js";
import { TypedEmitter } from "../../cti/events/typed-emitter.js";
import { PACKET_INTERVAL_MS, type PacedSource, type PlaybackScheduler } from "./playback-scheduler.js";
import { SAMPLES_PER_FRAME, type Prompt, type PromptLibrary } from "./prompt-library.js";
import { Rfc4733DtmfReceiver, isDtmfDigit, type DtmfDigit } from "./rfc4733-dtmf-receiver.js";
import { g711EncodeTable, transcodeG711InPlace } from "./g711.js";
import {
  PAYLOAD_KIND_OF_CODEC,
  PAYLOAD_PCMU,
  PAYLOAD_TELEPHONE_EVENT,
  PAYLOAD_UNKNOWN,
  RELAY_DROPPED,
  RELAY_SENT,
  RELAY_TRANSCODED,
  roomSide,
  type EndpointRoomSide,
  type PayloadKind,
  type RelayOutcome,
  type RoomSeat,
} from "./media-room-link.js";
import { answerOffer, applyAnswer, createOffer, type G711Codec, type MediaDirection, type NegotiatedMedia, type OfferOptions } from "./sdp-offer-answer.js";

export type PlaybackResult = "completed" | "interrupted" | "closed";
export type DtmfSource = "rfc4733" | "info";

export type MediaEndpointEvents = {
  /** One key press, reported once however many packets carried it. */
  dtmf: [digit: DtmfDigit, source: DtmfSource];
  playbackEnded: [result: PlaybackResult];
  close: [];
};

export interface MediaEndpointStats {
  /** Every RTP packet sent: prompts, relayed packets, mixed frames. */
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  dtmfReceived: number;
  /** Packets that arrived here and were sent on to the other leg of the room (transcoded ones included). */
  relayed: number;
  /** Of the relayed packets, those converted PCMU↔PCMA on the way. */
  transcoded: number;
  /** Packets that arrived while in a room and went nowhere: comfort noise, unknown payload types, malformed,
   * a passive participant's, or the other leg could not take them (none, playing, holding, no telephone-event). */
  dropped: number;
}

export interface PlayOptions {
  /** Stop the prompts at the first digit (the digit is still reported). */
  interruptOnDtmf?: boolean;
  /** Language of prompt names; default: the prompt library's. */
  language?: string;
  /** Start again after the last prompt (music on hold) until stopPlayback(), another play() or close(). */
  loop?: boolean;
}

export type { OfferOptions };

/** What MediaServer hands an endpoint it opened. */
export interface MediaEndpointContext {
  socket: Socket;
  localPort: number;
  /** Address written into SDP answers. */
  announcedAddress: string;
  scheduler: PlaybackScheduler;
  prompts: PromptLibrary;
  logger: Logger;
  /** Gives the port back to the pool; called once, after the socket closed. */
  release: (port: number) => void;
}

const RTP_HEADER_BYTES = 12;
const RTP_VERSION_2 = 0x80;
const FRAME_BYTES = SAMPLES_PER_FRAME; // one G.711 byte per sample
/** A late tick sends at most this many packets at once; older audio is skipped (timestamps still advance). */
const MAX_CATCH_UP_PACKETS = 10;
/** Which source the last packet sent came from: a change starts a talk spurt. */
const SENT_NOTHING = 0;
const SENT_PROMPT = 1;
const SENT_RELAYED = 2;
const SENT_MIX = 3;
type SentSource = typeof SENT_NOTHING | typeof SENT_PROMPT | typeof SENT_RELAYED | typeof SENT_MIX;
const SENDING_DIRECTIONS: Readonly<Record<MediaDirection, boolean>> = { sendrecv: true, sendonly: true, recvonly: false, inactive: false };

interface Playback {
  prompts: Prompt[];
  promptIndex: number;
  /** Next byte to send in the current prompt. */
  offset: number;
  startTick: number;
  framesDone: number;
  interruptOnDtmf: boolean;
  loop: boolean;
  resolve: (result: PlaybackResult) => void;
}

export class MediaEndpoint extends TypedEmitter<MediaEndpointEvents> implements PacedSource {
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #announcedAddress: string;
  readonly #scheduler: PlaybackScheduler;
  readonly #prompts: PromptLibrary;
  readonly #logger: Logger;
  readonly #release: (port: number) => void;
  readonly #dtmf = new Rfc4733DtmfReceiver();
  readonly #stats: MediaEndpointStats = {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    dtmfReceived: 0,
    relayed: 0,
    transcoded: 0,
    dropped: 0,
  };
  /** The one outgoing packet buffer, rewritten for every packet (replaced only if the kernel kept it queued). */
  #packet = Buffer.alloc(RTP_HEADER_BYTES + FRAME_BYTES);
  /** One encoded frame of a room's mix, before it is copied into #packet. */
  readonly #mixFrame = Buffer.alloc(FRAME_BYTES);
  readonly #ssrc = randomBytes(4).readUInt32BE(0);
  readonly #sessionId = String(randomInt(1, 2 ** 47));
  #sessionVersion = 1;
  /** The last SDP this endpoint produced (answer or offer), for the o= version rule. */
  #lastLocalSdp: string | undefined;
  #offerPending = false;
  #media: NegotiatedMedia | undefined;
  /** Incoming payload type → PayloadKind, rebuilt at each negotiation (one typed-array read per packet). */
  readonly #payloadKinds = new Uint8Array(128);
  /** PayloadKind of the codec this endpoint sends. */
  #sendKind: PayloadKind = PAYLOAD_UNKNOWN;
  #lastSent: SentSource = SENT_NOTHING;
  /** The relayed source's SSRC and the offsets that map its sequence numbers and timestamps onto ours. */
  #relaySsrc = -1;
  #relaySequenceOffset = 0;
  #relayTimestampOffset = 0;
  #seat: RoomSeat | undefined;
  readonly #roomSide: EndpointRoomSide;
  #sequence = randomInt(0, 0x10000);
  #timestamp = randomInt(0, 2 ** 32);
  /** When the RTP clock last advanced by a frame (sent or skipped), to carry the timestamp over silences. */
  #lastFrameAt = -1;
  #playback: Playback | undefined;
  /** Bumped by every play() and stopPlayback(): a play() whose prompts finish loading after a newer call lost. */
  #playGeneration = 0;
  #closed = false;

  constructor(context: MediaEndpointContext) {
    super();
    this.localPort = context.localPort;
    this.#socket = context.socket;
    this.#announcedAddress = context.announcedAddress;
    this.#scheduler = context.scheduler;
    this.#prompts = context.prompts;
    this.#logger = context.logger.child({ rtpPort: context.localPort });
    this.#release = context.release;
    this.onListenerError = (event, error) => this.#logger.error({ err: error, event }, "media endpoint listener threw");
    this.#packet.writeUInt32BE(this.#ssrc, 8);
    this.#packet[0] = RTP_VERSION_2;
    const endpoint = this;
    this.#roomSide = {
      sit: (seat) => {
        this.#seat = seat;
      },
      get seat() {
        return endpoint.#seat;
      },
      relay: (packet, kind, start, end) => this.#relay(packet, kind, start, end),
      sendMixed: (samples) => this.#sendMixed(samples),
      scheduler: this.#scheduler,
    };
    this.#socket.on("message", (message: Buffer) => this.#receive(message));
    this.#socket.on("error", (error) => this.#logger.debug({ err: error }, "rtp socket error"));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get codec(): G711Codec | undefined {
    return this.#media?.codec;
  }

  /** Where RTP is sent; undefined before the first answer and while the remote side holds with c=0.0.0.0. */
  get remoteAddress(): string | undefined {
    return this.#media?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#media?.remotePort;
  }

  /** What the last answer agreed on (codec, payload types, remote, direction). */
  get negotiated(): Readonly<NegotiatedMedia> | undefined {
    return this.#media;
  }

  get playing(): boolean {
    return this.#playback !== undefined;
  }

  get stats(): Readonly<MediaEndpointStats> {
    return { ...this.#stats };
  }

  /** This endpoint's RTP synchronisation source (every packet it sends carries it). */
  get ssrc(): number {
    return this.#ssrc;
  }

  /** For MediaRoom (media-room-link.ts); not part of the public API. */
  get [roomSide](): EndpointRoomSide {
    return this.#roomSide;
  }

  /**
   * Answers an SDP offer (the first, or a re-offer such as hold/resume) and returns the SDP answer. Throws
   * NO_COMMON_CODEC when the offer has neither PCMU nor PCMA (answer 488). The o= version goes up whenever
   * the answer changes; an unchanged answer (a session refresh) keeps it, as RFC 3264 §8 asks.
   */
  answer(offerSdp: string): string {
    if (this.#closed) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "the media endpoint is closed");
    const result = this.#versioned((version) => {
      const r = answerOffer(offerSdp, this.#local(version));
      return { sdp: r.answer, media: r.media };
    });
    // Applied even when the answer is unchanged: a re-offer may move only the remote port, which no answer shows.
    this.#applyMedia(result.media);
    return result.sdp;
  }

  /**
   * An SDP offer from this endpoint's port, for a call the bridge makes (an agent leg): PCMU and PCMA, the
   * preferred one first (offer the caller's codec first and a phone that has it spares the bridge transcoding),
   * telephone-event 101, sendrecv. Hand the answer to acceptAnswer(); a later re-offer from the remote side
   * still goes through answer().
   */
  offer(options: OfferOptions = {}): string {
    if (this.#closed) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "the media endpoint is closed");
    const { sdp } = this.#versioned((version) => ({ sdp: createOffer(this.#local(version), options) }));
    this.#offerPending = true;
    return sdp;
  }

  /**
   * Applies the answer to the last offer(): the answer's first G.711 codec is sent, its telephone-event payload
   * type used (none if it left it out), RTP goes to its address and port. Throws NO_COMMON_CODEC when the answer
   * refused the stream or has neither PCMU nor PCMA, BAD_REQUEST when it is not SDP, MEDIA_NOT_NEGOTIATED when
   * no offer is waiting for an answer.
   */
  acceptAnswer(answerSdp: string): Readonly<NegotiatedMedia> {
    if (this.#closed) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "the media endpoint is closed");
    if (!this.#offerPending) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "acceptAnswer() without an offer waiting for its answer");
    const media = applyAnswer(answerSdp);
    this.#offerPending = false;
    this.#applyMedia(media);
    return media;
  }

  #local(sessionVersion: number): { address: string; port: number; sessionId: string; sessionVersion: number } {
    return { address: this.#announcedAddress, port: this.localPort, sessionId: this.#sessionId, sessionVersion };
  }

  /** The o= version goes up whenever this endpoint's SDP changes, and stays for an unchanged one (RFC 3264 §8). */
  #versioned<T extends { sdp: string }>(build: (sessionVersion: number) => T): T {
    let result = build(this.#sessionVersion);
    if (result.sdp === this.#lastLocalSdp) return result;
    if (this.#lastLocalSdp !== undefined) {
      this.#sessionVersion++;
      result = build(this.#sessionVersion);
    }
    this.#lastLocalSdp = result.sdp;
    return result;
  }

  #applyMedia(media: NegotiatedMedia): void {
    const previous = this.#media;
    this.#media = media;
    if (previous && (previous.remoteAddress !== media.remoteAddress || previous.remotePort !== media.remotePort)) {
      this.#dtmf.reset();
    }
    this.#packet[1] = (this.#packet[1]! & 0x80) | media.payloadType;
    this.#sendKind = PAYLOAD_KIND_OF_CODEC[media.codec];
    const kinds = this.#payloadKinds;
    kinds.fill(PAYLOAD_UNKNOWN);
    for (const { payloadType, codec } of media.receivePayloadTypes) kinds[payloadType & 0x7f] = PAYLOAD_KIND_OF_CODEC[codec];
    if (media.telephoneEventPayloadType !== undefined) kinds[media.telephoneEventPayloadType & 0x7f] = PAYLOAD_TELEPHONE_EVENT;
  }

  /**
   * Plays prompts (names in the prompt library, or absolute paths of WAV files) one after the other, without
   * gaps (with `loop`, over and over). A play() while another is running interrupts it. While prompts play, audio
   * relayed from a room is not sent to this endpoint: playback wins. Resolves when the last prompt was sent
   * ("completed", never with `loop`), after stopPlayback() / a digit with interruptOnDtmf / a newer play()
   * ("interrupted"), or when the endpoint closes ("closed"). Rejects with NOT_FOUND / PROMPT_INVALID for a bad prompt, and
   * MEDIA_NOT_NEGOTIATED before the first answer().
   */
  async play(prompts: string[], options: PlayOptions = {}): Promise<PlaybackResult> {
    if (this.#closed) return "closed";
    if (!this.#media) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "play() before answer()");
    const generation = ++this.#playGeneration;
    const loaded = await Promise.all(prompts.map((name) => this.#prompts.load(name, options.language)));
    if (this.#closed) return "closed";
    if (generation !== this.#playGeneration) return "interrupted";
    this.#finishPlayback("interrupted");
    if (loaded.length === 0) return "completed";
    return new Promise<PlaybackResult>((resolve) => {
      const playback: Playback = {
        prompts: loaded,
        promptIndex: 0,
        offset: 0,
        startTick: 0,
        framesDone: 0,
        interruptOnDtmf: options.interruptOnDtmf ?? false,
        loop: options.loop ?? false,
        resolve,
      };
      this.#playback = playback;
      this.#startTalkSpurt(SENT_PROMPT);
      playback.startTick = this.#scheduler.add(this);
    });
  }

  /** Stops the current playback (its play() resolves "interrupted"); does nothing when idle. */
  stopPlayback(): void {
    this.#playGeneration++;
    this.#finishPlayback("interrupted");
  }

  /** A digit the SIP layer received out of band (INFO application/dtmf-relay): reported like an RTP one. */
  injectDtmf(digit: string): void {
    if (this.#closed) return;
    const d = digit.toUpperCase();
    if (!isDtmfDigit(d)) throw new CtiError(Errors.BAD_REQUEST, `not a DTMF digit: "${digit}"`);
    this.#onDigit(d, "info");
  }

  /** Leaves its room, stops playback (play() resolves "closed"), closes the socket and returns the port. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const seat = this.#seat;
    this.#seat = undefined;
    seat?.endpointClosed();
    this.#finishPlayback("closed");
    const port = this.localPort;
    try {
      this.#socket.close(() => this.#release(port));
    } catch {
      this.#release(port); // already closed underneath us
    }
    this.safeEmit("close");
    this.removeAllListeners();
  }

  /** PacedSource: the shared clock says `tick` has come; send every frame due by then. */
  onTick(tick: number): boolean {
    const playback = this.#playback;
    if (!playback) return false;
    let due = tick - playback.startTick + 1 - playback.framesDone;
    if (due > MAX_CATCH_UP_PACKETS) {
      const skip = due - MAX_CATCH_UP_PACKETS;
      for (let i = 0; i < skip; i++) if (!this.#advanceFrame(playback, false)) return this.#complete(playback);
      due = MAX_CATCH_UP_PACKETS;
    }
    for (let i = 0; i < due; i++) if (!this.#advanceFrame(playback, true)) return this.#complete(playback);
    if (playback.promptIndex >= playback.prompts.length) return this.#complete(playback);
    return true;
  }

  #complete(playback: Playback): false {
    if (this.#playback === playback) {
      this.#playback = undefined;
      playback.resolve("completed");
      this.safeEmit("playbackEnded", "completed");
    }
    return false;
  }

  /** Sends (or, when catching up or not allowed to send, skips) the next frame; false when nothing was left. */
  #advanceFrame(playback: Playback, send: boolean): boolean {
    const prompt = playback.prompts[playback.promptIndex];
    if (!prompt) return false;
    const media = this.#media;
    if (send && media && media.remoteAddress !== undefined && media.remotePort > 0 && SENDING_DIRECTIONS[media.direction]) {
      const payload = media.codec === "PCMU" ? prompt.pcmu : prompt.pcma;
      this.#sendFrame(payload, playback.offset, media.remoteAddress, media.remotePort);
    }
    this.#timestamp = (this.#timestamp + SAMPLES_PER_FRAME) >>> 0;
    this.#lastFrameAt = performance.now();
    playback.framesDone++;
    playback.offset += FRAME_BYTES;
    if (playback.offset >= prompt.frames * FRAME_BYTES) {
      playback.promptIndex++;
      playback.offset = 0;
      if (playback.loop && playback.promptIndex >= playback.prompts.length) playback.promptIndex = 0;
    }
    return true;
  }

  #sendFrame(payload: Buffer, offset: number, address: string, port: number): void {
    const packet = this.#packet;
    packet.writeUInt16BE(this.#sequence, 2);
    packet.writeUInt32BE(this.#timestamp, 4);
    payload.copy(packet, RTP_HEADER_BYTES, offset, offset + FRAME_BYTES);
    this.#socket.send(packet, port, address); // the whole buffer: dgram makes no slice of it
    packet[1]! &= 0x7f; // marker only on the first packet of a talk spurt
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#stats.packetsSent++;
    this.#stats.bytesSent += packet.length;
    // The send is synchronous unless the kernel queue was full; then the queued send still holds this buffer.
    if (this.#socket.getSendQueueCount() > 0) {
      const fresh = Buffer.alloc(packet.length);
      packet.copy(fresh, 0, 0, RTP_HEADER_BYTES);
      this.#packet = fresh;
    }
  }

  /** A new talk spurt of our own frames (prompt or mix): marker bit on its first packet, the timestamp jumped
   * over the silence since the last packet. */
  #startTalkSpurt(source: SentSource): void {
    this.#timestamp = this.#rtpTimeAt(performance.now());
    this.#packet[1] = 0x80 | (this.#media?.payloadType ?? 0);
    this.#lastSent = source;
  }

  /** The RTP timestamp for a packet sent at `now`: the next frame's, plus the whole frames of silence since then. */
  #rtpTimeAt(now: number): number {
    if (this.#lastFrameAt < 0) return this.#timestamp;
    const silentFrames = Math.round((now - this.#lastFrameAt) / PACKET_INTERVAL_MS) - 1;
    return silentFrames > 0 ? (this.#timestamp + silentFrames * SAMPLES_PER_FRAME) >>> 0 : this.#timestamp;
  }

  /** Whether RTP may be sent to the remote side now (negotiated, an address, a direction that allows it). */
  #canSend(media: NegotiatedMedia | undefined): media is NegotiatedMedia & { remoteAddress: string } {
    return media !== undefined && media.remoteAddress !== undefined && media.remotePort > 0 && SENDING_DIRECTIONS[media.direction];
  }

  /**
   * Room → this endpoint: sends a packet that arrived on the other leg, rewritten in place into this endpoint's
   * stream (see the top of the file) and converted when the codecs differ. Playback wins: nothing is relayed
   * while prompts play here. Hot path: no allocation, no closure, no logging. The buffer is dgram's fresh one for
   * that datagram and is not used again by us, so sending it needs no send-queue check.
   */
  #relay(packet: Buffer, kind: PayloadKind, start: number, end: number): RelayOutcome {
    const media = this.#media;
    if (this.#closed || this.#playback !== undefined || !this.#canSend(media)) return RELAY_DROPPED;
    let payloadType: number;
    let outcome: RelayOutcome = RELAY_SENT;
    if (kind === PAYLOAD_TELEPHONE_EVENT) {
      if (media.telephoneEventPayloadType === undefined) return RELAY_DROPPED;
      payloadType = media.telephoneEventPayloadType;
    } else {
      payloadType = media.payloadType;
      if (kind !== this.#sendKind) {
        transcodeG711InPlace(kind === PAYLOAD_PCMU ? "ulaw" : "alaw", packet, start, end);
        outcome = RELAY_TRANSCODED;
      }
    }
    const sourceSsrc = packet.readUInt32BE(8);
    const sourceSequence = packet.readUInt16BE(2);
    const sourceTimestamp = packet.readUInt32BE(4);
    const now = performance.now();
    let marker = packet[1]! & 0x80;
    if (this.#lastSent !== SENT_RELAYED || sourceSsrc !== this.#relaySsrc) {
      // A new source (after a prompt, a mix, another leg, or the same leg's new SSRC): anchor its numbering on ours.
      this.#lastSent = SENT_RELAYED;
      this.#relaySsrc = sourceSsrc;
      this.#relaySequenceOffset = (this.#sequence - sourceSequence) & 0xffff;
      this.#relayTimestampOffset = (this.#rtpTimeAt(now) - sourceTimestamp) >>> 0;
      marker = 0x80;
    }
    const sequence = (sourceSequence + this.#relaySequenceOffset) & 0xffff;
    const timestamp = (sourceTimestamp + this.#relayTimestampOffset) >>> 0;
    let length = packet.length;
    if (start !== RTP_HEADER_BYTES || end !== length) {
      // CSRCs, a header extension or padding were the other leg's business: only the payload goes on.
      packet.copyWithin(RTP_HEADER_BYTES, start, end);
      length = RTP_HEADER_BYTES + end - start;
    }
    packet[0] = RTP_VERSION_2;
    packet[1] = marker | payloadType;
    packet.writeUInt16BE(sequence, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.#ssrc, 8);
    if (length === packet.length) this.#socket.send(packet, media.remotePort, media.remoteAddress);
    else this.#socket.send(packet, 0, length, media.remotePort, media.remoteAddress);
    this.#stats.packetsSent++;
    this.#stats.bytesSent += length;
    // Keep our own counters ahead of what was sent, so a prompt after the relay continues the stream.
    if (((sequence + 1 - this.#sequence) & 0xffff) < 0x8000) this.#sequence = (sequence + 1) & 0xffff;
    if (kind !== PAYLOAD_TELEPHONE_EVENT) {
      const next = (timestamp + end - start) >>> 0; // G.711: one byte per sample
      if (((next - this.#timestamp) >>> 0) < 0x80000000) this.#timestamp = next;
      this.#lastFrameAt = now;
    }
    return outcome;
  }

  /** Room → this endpoint: one 20 ms frame of a mix (linear samples), encoded in this endpoint's codec. */
  #sendMixed(samples: Int16Array): boolean {
    const media = this.#media;
    if (this.#closed || this.#playback !== undefined || !this.#canSend(media)) return false;
    if (this.#lastSent !== SENT_MIX) this.#startTalkSpurt(SENT_MIX);
    const table = g711EncodeTable(media.codec === "PCMU" ? "ulaw" : "alaw");
    const frame = this.#mixFrame;
    for (let i = 0; i < FRAME_BYTES; i++) frame[i] = table[samples[i]! & 0xffff]!;
    this.#sendFrame(frame, 0, media.remoteAddress, media.remotePort);
    this.#timestamp = (this.#timestamp + SAMPLES_PER_FRAME) >>> 0;
    this.#lastFrameAt = performance.now();
    return true;
  }

  #finishPlayback(result: PlaybackResult): void {
    const playback = this.#playback;
    if (!playback) return;
    this.#playback = undefined;
    this.#scheduler.remove(this);
    playback.resolve(result);
    this.safeEmit("playbackEnded", result);
  }

  #onDigit(digit: DtmfDigit, source: DtmfSource): void {
    this.#stats.dtmfReceived++;
    if (this.#playback?.interruptOnDtmf) this.#finishPlayback("interrupted");
    this.safeEmit("dtmf", digit, source);
  }

  /**
   * Every packet that arrives: telephone-events become digits, and in a room every audio or telephone-event packet
   * goes to the room (which relays it, mixes it, or drops it). Hot path: no allocation, no closure, no logging.
   */
  #receive(message: Buffer): void {
    const stats = this.#stats;
    const length = message.length;
    stats.packetsReceived++;
    stats.bytesReceived += length;
    const first = length >= RTP_HEADER_BYTES ? message[0]! : 0;
    // Comfort noise (13) and every payload type not negotiated are PAYLOAD_UNKNOWN.
    const kind = this.#media !== undefined && (first & 0xc0) === RTP_VERSION_2 ? (this.#payloadKinds[message[1]! & 0x7f]! as PayloadKind) : PAYLOAD_UNKNOWN;
    if (kind === PAYLOAD_UNKNOWN) return this.#drop();
    // Payload after the fixed header, CSRCs and an optional header extension; trailing padding removed.
    let start = RTP_HEADER_BYTES + (first & 0x0f) * 4;
    if (first & 0x10) {
      if (length < start + 4) return this.#drop();
      start += 4 + message.readUInt16BE(start + 2) * 4;
    }
    let end = length;
    if (first & 0x20) end -= message[end - 1]!;
    if (end < start) return this.#drop();
    if (kind === PAYLOAD_TELEPHONE_EVENT) {
      if (end - start < 4) return this.#drop();
      const digit = this.#dtmf.receive(message, start, end - start, message.readUInt32BE(4), (message[1]! & 0x80) !== 0, performance.now());
      if (digit) this.#onDigit(digit, "rfc4733"); // a listener may leave the room or close: read the seat after
    }
    const seat = this.#seat;
    if (seat === undefined) return;
    const outcome = seat.forward(message, kind, start, end);
    if (outcome === RELAY_DROPPED) {
      stats.dropped++;
    } else {
      stats.relayed++;
      if (outcome === RELAY_TRANSCODED) stats.transcoded++;
    }
  }

  #drop(): void {
    if (this.#seat !== undefined) this.#stats.dropped++;
  }
}
