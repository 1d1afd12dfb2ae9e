// One 20 ms clock for every endpoint that is playing, so hundreds of calls cost one timer instead of hundreds.
// Ticks are counted from a monotonic origin (performance.now()), and each timer is armed for the next tick's
// absolute time: a late timer makes the next wait shorter instead of shifting every later packet (no drift).
// A source that joins while the clock runs starts at the next tick; each source sends every packet that is due,
// so a late tick is caught up.
import { performance } from "node:perf_hooks";

export const PACKET_INTERVAL_MS = 20;
/** Node timers fire on the loop's cached millisecond clock, so a tick may start a hair early. */
const EARLY_TOLERANCE_MS = 1;

export interface PacedSource {
  /** Sends what is due up to and including `tick`; returns false when finished (it is then removed). */
  onTick(tick: number): boolean;
}

export class PlaybackScheduler {
  readonly #sources = new Set<PacedSource>();
  #origin = 0;
  #nextTick = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The clock runs while any source is registered (also during a tick, when no timer is armed). */
  #running = false;
  readonly #run = (): void => this.#tick();

  get activeSources(): number {
    return this.#sources.size;
  }

  /** Adds a source; returns the tick at which its first packet is due. */
  add(source: PacedSource): number {
    this.#sources.add(source);
    if (!this.#running) {
      this.#running = true;
      this.#origin = performance.now();
      this.#nextTick = 0;
      this.#timer = setTimeout(this.#run, 0);
    }
    return this.#nextTick;
  }

  remove(source: PacedSource): void {
    this.#sources.delete(source);
    if (this.#sources.size === 0) this.#stop();
  }

  close(): void {
    this.#sources.clear();
    this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = false;
  }

  #tick(): void {
    this.#timer = undefined;
    // The grid starts when the first packet actually leaves, not when the first timer was armed.
    if (this.#nextTick === 0) this.#origin = performance.now();
    const tick = Math.floor((performance.now() - this.#origin + EARLY_TOLERANCE_MS) / PACKET_INTERVAL_MS);
    if (tick >= this.#nextTick) {
      this.#nextTick = tick + 1;
      for (const source of this.#sources) {
        if (!source.onTick(tick)) this.#sources.delete(source);
      }
    }
    if (!this.#running || this.#timer !== undefined) return;
    if (this.#sources.size === 0) {
      this.#running = false;
      return;
    }
    const delay = this.#origin + this.#nextTick * PACKET_INTERVAL_MS - performance.now();
    this.#timer = setTimeout(this.#run, Math.max(0, delay));
  }
}
