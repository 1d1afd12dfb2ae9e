// One RTP stream of a call leg, anchored in the bridge (TAS model): it answers the leg's SDP offer, plays prompts
// as G.711 RTP paced by the server's shared 20 ms clock, and turns RFC 4733 events (or SIP INFO digits handed in
// by the SIP layer) into `dtmf` events.
//
//   open (MediaServer.open) ──answer(offer)──► negotiated ──play()/stopPlayback()/answer(re-offer)──► … ──close()──► closed
//
// Everything a packet does on the way out reuses one buffer per endpoint; everything on the way in goes through
// #receive(), the one place a later relay between two endpoints hooks into.
import type { Socket, RemoteInfo } from "node:dgram";
import { randomBytes, randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { CtiError, Errors } from "../../cti/errors.js";
import type { Logger } from "../../cti/log.js";
import { TypedEmitter } from "../../cti/events/typed-emitter.js";
import { PACKET_INTERVAL_MS, type PacedSource, type PlaybackScheduler } from "./playback-scheduler.js";
import { SAMPLES_PER_FRAME, type Prompt, type PromptLibrary } from "./prompt-library.js";
import { Rfc4733DtmfReceiver, isDtmfDigit, type DtmfDigit } from "./rfc4733-dtmf-receiver.js";
import { answerOffer, type G711Codec, type NegotiatedMedia } from "./sdp-offer-answer.js";

export type PlaybackResult = "completed" | "interrupted" | "closed";
export type DtmfSource = "rfc4733" | "info";

export type MediaEndpointEvents = {
  /** One key press, reported once however many packets carried it. */
  dtmf: [digit: DtmfDigit, source: DtmfSource];
  playbackEnded: [result: PlaybackResult];
  close: [];
};

export interface MediaEndpointStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  dtmfReceived: number;
}

export interface PlayOptions {
  /** Stop the prompts at the first digit (the digit is still reported). */
  interruptOnDtmf?: boolean;
  /** Language of prompt names; default: the prompt library's. */
  language?: string;
}

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

interface Playback {
  prompts: Prompt[];
  promptIndex: number;
  /** Next byte to send in the current prompt. */
  offset: number;
  startTick: number;
  framesDone: number;
  interruptOnDtmf: boolean;
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
  readonly #stats: MediaEndpointStats = { packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, dtmfReceived: 0 };
  /** The one outgoing packet buffer, rewritten for every packet (replaced only if the kernel kept it queued). */
  #packet = Buffer.alloc(RTP_HEADER_BYTES + FRAME_BYTES);
  readonly #sessionId = String(randomInt(1, 2 ** 47));
  #sessionVersion = 1;
  #lastAnswer: string | undefined;
  #media: NegotiatedMedia | undefined;
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
    randomBytes(4).copy(this.#packet, 8); // SSRC
    this.#packet[0] = RTP_VERSION_2;
    this.#socket.on("message", (message: Buffer, remote: RemoteInfo) => this.#receive(message, remote));
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

  /**
   * Answers an SDP offer (the first, or a re-offer such as hold/resume) and returns the SDP answer. Throws
   * NO_COMMON_CODEC when the offer has neither PCMU nor PCMA (answer 488). The o= version goes up whenever
   * the answer changes; an unchanged answer (a session refresh) keeps it, as RFC 3264 §8 asks.
   */
  answer(offerSdp: string): string {
    if (this.#closed) throw new CtiError(Errors.MEDIA_NOT_NEGOTIATED, "the media endpoint is closed");
    const local = { address: this.#announcedAddress, port: this.localPort, sessionId: this.#sessionId };
    let result = answerOffer(offerSdp, { ...local, sessionVersion: this.#sessionVersion });
    if (result.answer === this.#lastAnswer) return result.answer;
    if (this.#lastAnswer !== undefined) {
      this.#sessionVersion++;
      result = answerOffer(offerSdp, { ...local, sessionVersion: this.#sessionVersion });
    }
    const previous = this.#media;
    this.#lastAnswer = result.answer;
    this.#media = result.media;
    if (previous && (previous.remoteAddress !== result.media.remoteAddress || previous.remotePort !== result.media.remotePort)) {
      this.#dtmf.reset();
    }
    this.#packet[1] = (this.#packet[1]! & 0x80) | result.media.payloadType;
    return result.answer;
  }

  /**
   * Plays prompts (names in the prompt library, or absolute paths of WAV files) one after the other, without
   * gaps. A play() while another is running interrupts it. Resolves when the last prompt was sent
   * ("completed"), after stopPlayback() / a digit with interruptOnDtmf / a newer play() ("interrupted"), or when
   * the endpoint closes ("closed"). Rejects with NOT_FOUND / PROMPT_INVALID for a bad prompt, and
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
        resolve,
      };
      this.#playback = playback;
      this.#startTalkSpurt();
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

  /** Stops playback (play() resolves "closed"), closes the socket and returns the port. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
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
    if (send && media && media.remoteAddress !== undefined && media.remotePort > 0 && (media.direction === "sendrecv" || media.direction === "sendonly")) {
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
    }
    return true;
  }

  #sendFrame(payload: Buffer, offset: number, address: string, port: number): void {
    const packet = this.#packet;
    packet.writeUInt16BE(this.#sequence, 2);
    packet.writeUInt32BE(this.#timestamp, 4);
    payload.copy(packet, RTP_HEADER_BYTES, offset, offset + FRAME_BYTES);
    this.#socket.send(packet, 0, packet.length, port, address);
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

  /** A new talk spurt: marker bit on its first packet; the timestamp jumps over the silence since the last one. */
  #startTalkSpurt(): void {
    if (this.#lastFrameAt >= 0) {
      const silentFrames = Math.round((performance.now() - this.#lastFrameAt) / PACKET_INTERVAL_MS) - 1;
      if (silentFrames > 0) this.#timestamp = (this.#timestamp + silentFrames * SAMPLES_PER_FRAME) >>> 0;
    }
    this.#packet[1] = 0x80 | (this.#media?.payloadType ?? 0);
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

  /** Every packet that arrives. Audio is only counted for now; relaying to another endpoint hooks in here. */
  #receive(message: Buffer, _remote: RemoteInfo): void {
    this.#stats.packetsReceived++;
    this.#stats.bytesReceived += message.length;
    const media = this.#media;
    if (!media || message.length < RTP_HEADER_BYTES || (message[0]! & 0xc0) !== RTP_VERSION_2) return;
    const payloadType = message[1]! & 0x7f;
    if (payloadType !== media.telephoneEventPayloadType) return;
    // Payload after the fixed header, CSRCs and an optional header extension; trailing padding removed.
    let offset = RTP_HEADER_BYTES + (message[0]! & 0x0f) * 4;
    if (message[0]! & 0x10) {
      if (message.length < offset + 4) return;
      offset += 4 + message.readUInt16BE(offset + 2) * 4;
    }
    let end = message.length;
    if (message[0]! & 0x20) end -= message[end - 1]!;
    if (end - offset < 4) return;
    const digit = this.#dtmf.receive(message, offset, end - offset, message.readUInt32BE(4), (message[1]! & 0x80) !== 0, performance.now());
    if (digit) this.#onDigit(digit, "rfc4733");
  }
}
