// What a room's passive participants (recorders) hear: the active legs mixed into one stream. Each active leg's
// audio is decoded to linear as it arrives, into a short buffer of its own (MixInput); once every 20 ms, on the
// media server's playback clock, one frame of each buffer is summed and sent to every passive participant in its
// own codec, as that endpoint's own stream. Relaying two legs' packets to a recorder instead would give it two
// interleaved streams (or one with doubled timestamps); a mix is one stream any recorder can write to a file.
//
// The buffers absorb jitter by themselves: a leg whose packet is late adds silence for that frame and is one frame
// further behind from then on; a leg that runs ahead (clock drift, a burst) is trimmed back, so the delay stays
// under MAX_BUFFERED_FRAMES. Hot path: no allocation, no closure, no logging.
import { g711DecodeTable } from "./g711.js";
import { PAYLOAD_PCMU, type EndpointRoomSide, type PayloadKind } from "./media-room-link.js";
import type { PacedSource, PlaybackScheduler } from "./playback-scheduler.js";
import { SAMPLES_PER_FRAME } from "./prompt-library.js";

const RING_SAMPLES = 8 * SAMPLES_PER_FRAME;
/** More than this buffered at a tick: trim back to TRIMMED_FRAMES (the oldest audio goes). */
const MAX_BUFFERED_FRAMES = 4;
const TRIMMED_FRAMES = 2;
/** A late tick mixes at most this many frames at once; older frames are skipped. */
const MAX_CATCH_UP_FRAMES = 10;

/** One active leg's decoded audio waiting to be mixed. */
export class MixInput {
  readonly #ring = new Int16Array(RING_SAMPLES);
  #read = 0;
  #count = 0;

  /** The G.711 payload `packet[start..end)` of the given kind (PCMU or PCMA). */
  write(packet: Uint8Array, kind: PayloadKind, start: number, end: number): void {
    const table = g711DecodeTable(kind === PAYLOAD_PCMU ? "ulaw" : "alaw");
    const ring = this.#ring;
    let at = (this.#read + this.#count) % RING_SAMPLES;
    for (let i = start; i < end; i++) {
      ring[at] = table[packet[i]!]!;
      at = at + 1 === RING_SAMPLES ? 0 : at + 1;
    }
    this.#count += end - start;
    if (this.#count > RING_SAMPLES) {
      // Overran the buffer: what was overwritten is gone, the oldest sample left is just after the newest.
      this.#read = at;
      this.#count = RING_SAMPLES;
    }
  }

  /** Adds one frame into `sum`; samples not there yet count as silence. */
  addFrameTo(sum: Int32Array): void {
    if (this.#count > MAX_BUFFERED_FRAMES * SAMPLES_PER_FRAME) {
      const skip = this.#count - TRIMMED_FRAMES * SAMPLES_PER_FRAME;
      this.#read = (this.#read + skip) % RING_SAMPLES;
      this.#count -= skip;
    }
    const ring = this.#ring;
    const n = Math.min(this.#count, SAMPLES_PER_FRAME);
    let at = this.#read;
    for (let i = 0; i < n; i++) {
      sum[i]! += ring[at]!;
      at = at + 1 === RING_SAMPLES ? 0 : at + 1;
    }
    this.#read = at;
    this.#count -= n;
  }

  /** Drops one frame unheard (a tick too late to send). */
  skipFrame(): void {
    const n = Math.min(this.#count, SAMPLES_PER_FRAME);
    this.#read = (this.#read + n) % RING_SAMPLES;
    this.#count -= n;
  }

  get bufferedSamples(): number {
    return this.#count;
  }
}

export class RoomMixer implements PacedSource {
  #inputs: readonly MixInput[] = [];
  #outputs: readonly EndpointRoomSide[] = [];
  #scheduler: PlaybackScheduler | undefined;
  #startTick = 0;
  #framesDone = 0;
  readonly #sum = new Int32Array(SAMPLES_PER_FRAME);
  readonly #frame = new Int16Array(SAMPLES_PER_FRAME);

  /** Who is mixed (the active legs) and who hears the mix (the passive ones); runs on the first listener's clock. */
  set(inputs: readonly MixInput[], outputs: readonly EndpointRoomSide[]): void {
    this.#inputs = inputs;
    this.#outputs = outputs;
    const scheduler = outputs[0]?.scheduler;
    if (scheduler === this.#scheduler) return;
    this.stop();
    if (scheduler === undefined) return;
    this.#scheduler = scheduler;
    this.#framesDone = 0;
    this.#startTick = scheduler.add(this);
  }

  stop(): void {
    this.#scheduler?.remove(this);
    this.#scheduler = undefined;
  }

  /** PacedSource: mixes and sends every frame due by `tick`. */
  onTick(tick: number): boolean {
    let due = tick - this.#startTick + 1 - this.#framesDone;
    for (; due > MAX_CATCH_UP_FRAMES; due--) {
      for (const input of this.#inputs) input.skipFrame();
      this.#framesDone++;
    }
    for (; due > 0; due--) {
      this.#mixFrame();
      this.#framesDone++;
    }
    return true;
  }

  #mixFrame(): void {
    const sum = this.#sum;
    sum.fill(0);
    for (const input of this.#inputs) input.addFrameTo(sum);
    const frame = this.#frame;
    for (let i = 0; i < SAMPLES_PER_FRAME; i++) {
      const s = sum[i]!;
      frame[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
    }
    for (const output of this.#outputs) output.sendMixed(frame);
  }
}
