// The listeners one component keeps on the bus: a listener's exception is handed to the component (to log in its
// own words) instead of reaching the bus, and every listener is removed at once when the component closes.
import type { BridgeEvents, EventBus } from "./event-bus.js";

export class BusSubscriptions {
  readonly #bus: EventBus;
  readonly #onError: (error: unknown, event: string) => void;
  readonly #off: (() => void)[] = [];

  constructor(bus: EventBus, onError: (error: unknown, event: string) => void) {
    this.#bus = bus;
    this.#onError = onError;
  }

  on<K extends keyof BridgeEvents & string>(event: K, handler: (...args: BridgeEvents[K]) => void): void {
    const listener = (...args: BridgeEvents[K]): void => {
      try {
        handler(...args);
      } catch (error) {
        this.#onError(error, event);
      }
    };
    this.#bus.on(event, listener);
    this.#off.push(() => this.#bus.off(event, listener));
  }

  /** Removes every listener; idempotent. */
  clear(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
