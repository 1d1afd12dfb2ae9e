// A typed event emitter in mediasoup's style: events are a record of argument tuples, and a listener that throws
// is logged instead of breaking the emitter or the code that emitted.
import { EventEmitter } from "node:events";

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter({ captureRejections: false });
  #onListenerError: (event: string, error: unknown) => void = () => {};

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  /** Where listener exceptions go (default: swallowed). */
  set onListenerError(handler: (event: string, error: unknown) => void) {
    this.#onListenerError = handler;
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Emits to every listener; a throwing listener is reported and the others still run. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const listeners = this.#emitter.listeners(event) as ((...a: E[K]) => void)[];
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
    return listeners.length > 0;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
