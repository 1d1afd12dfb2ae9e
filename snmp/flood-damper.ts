// Flood damping per alarm key: at most `maxPerWindow` notifications per key in a window. What arrives beyond that
// is held back, and only the latest held-back one is sent when the window ends, so a flapping link costs a few
// traps but the manager still ends up with the final state (a raise is never left without its clear).

export interface FloodDamperOptions {
  windowMs: number;
  /** 0 disables damping. */
  maxPerWindow: number;
  now?: () => number;
}

interface KeyState<T> {
  start: number;
  count: number;
  pending: T | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class FloodDamper<T> {
  readonly #options: Required<FloodDamperOptions>;
  readonly #deliver: (item: T, key: string) => void;
  readonly #onDampingStarted: (key: string) => void;
  readonly #keys = new Map<string, KeyState<T>>();
  #damped = 0;
  #closed = false;

  constructor(options: FloodDamperOptions, deliver: (item: T, key: string) => void, onDampingStarted: (key: string) => void = () => {}) {
    this.#options = { now: Date.now, ...options };
    this.#deliver = deliver;
    this.#onDampingStarted = onDampingStarted;
  }

  /** Items never sent because a later one for the same key replaced them. */
  get damped(): number {
    return this.#damped;
  }

  /** Delivers now, or holds back; true when delivered now. */
  offer(key: string, item: T): boolean {
    if (this.#closed) return false;
    const { windowMs, maxPerWindow, now } = this.#options;
    if (maxPerWindow === 0 || windowMs === 0) {
      this.#deliver(item, key);
      return true;
    }
    const t = now();
    let state = this.#keys.get(key);
    if (state && t - state.start >= windowMs && state.pending === undefined) {
      clearTimeout(state.timer);
      state = undefined;
    }
    if (!state) {
      if (this.#keys.size >= 10_000) this.#sweep(t);
      state = { start: t, count: 0, pending: undefined, timer: undefined };
      this.#keys.set(key, state);
    }
    if (state.count < maxPerWindow && state.pending === undefined) {
      state.count++;
      this.#deliver(item, key);
      return true;
    }
    if (state.pending !== undefined) this.#damped++;
    else this.#onDampingStarted(key);
    state.pending = item;
    if (!state.timer) {
      const s = state;
      s.timer = setTimeout(() => this.#flush(key, s), Math.max(0, s.start + windowMs - t));
      s.timer.unref();
    }
    return false;
  }

  #flush(key: string, state: KeyState<T>): void {
    state.timer = undefined;
    const item = state.pending;
    state.pending = undefined;
    if (item === undefined || this.#closed) return;
    // The held-back item opens the next window.
    state.start = this.#options.now();
    state.count = 1;
    this.#deliver(item, key);
  }

  #sweep(t: number): void {
    for (const [key, s] of this.#keys) {
      if (s.pending === undefined && t - s.start >= this.#options.windowMs) {
        clearTimeout(s.timer);
        this.#keys.delete(key);
      }
    }
  }

  /** Sends what is held back (so the last state is not lost) and stops. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const [key, s] of this.#keys) {
      clearTimeout(s.timer);
      if (s.pending !== undefined) this.#deliver(s.pending, key);
    }
    this.#closed = true;
    this.#keys.clear();
  }
}
