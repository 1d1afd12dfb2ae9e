// Keys the caller pressed and nobody has read yet. Keys pressed during a prompt or between blocks are kept
// (type-ahead), so a caller who knows the menu can key ahead without waiting for prompts to finish.

export class DigitBuffer {
  readonly #digits: string[] = [];
  #waiter: ((digit: string | undefined) => void) | undefined;
  #closed = false;

  push(digit: string): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(digit);
    } else {
      this.#digits.push(digit);
    }
  }

  get size(): number {
    return this.#digits.length;
  }

  /** The next key, waiting up to timeoutMs; undefined on timeout or when the buffer is closed (call ended). */
  next(timeoutMs: number): Promise<string | undefined> {
    const queued = this.#digits.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = (digit) => {
        clearTimeout(timer);
        resolve(digit);
      };
    });
  }

  clear(): void {
    this.#digits.length = 0;
  }

  /** Ends every wait; later keys are ignored. */
  close(): void {
    this.#closed = true;
    this.#digits.length = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }
}
