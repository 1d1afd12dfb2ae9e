// When an attendant transfer to a number may be placed (manual: "Attendant Agent Advanced Configuration"):
//
// - Do not Transfer to Busy Destination: the number must be idle. The bridge knows two kinds of busy: a call it
//   placed to the number that is still ringing or connected, and an agent logged on at that extension who is not
//   idle. Transfers wait, first come first served, until the number is idle again.
// - Force Transfer Order: transfers to one number go in the order they were made. A transfer holds the number from
//   the moment it is placed until the number answers it; a call that recalls to its attendant keeps holding it for
//   pendingAgentTransferDelay (its turn, should the attendant transfer it there again), then lets the next one go.
//
//   request() ──may proceed──► placed(), proceed() ──► answered() | recalled() | abandoned(); ended() when the call is over
//       └──────── waits (FIFO per number) ──► cancel() (no-answer time, caller gone)
// With neither setting on, every transfer proceeds at once. The decisions are synchronous; pump() re-checks the
// waiters when something changed (a call to the number ended, an agent changed state, a hold ran out).
import type { AttendantSettings } from "./attendant-config.js";

interface Waiter {
  callId: string;
  proceed: () => void;
}

interface Hold {
  callId: string;
  /** Set once the holding call recalled: the hold ends when it fires. */
  timer: NodeJS.Timeout | undefined;
}

export interface DestinationGatesOptions {
  settings: Pick<AttendantSettings, "doNotTransferToBusy" | "forceTransferOrder" | "pendingAgentTransferDelay">;
  /** Whether an agent logged on at this extension is on a call (reserved, talking, call waiting, callback). */
  agentBusyAt: (number: string) => boolean;
}

export class DestinationGates {
  readonly #o: DestinationGatesOptions;
  /** Calls the bridge placed to a number, ringing or connected: number → caller Call-IDs. */
  readonly #active = new Map<string, Set<string>>();
  readonly #holds = new Map<string, Hold>();
  readonly #waiters = new Map<string, Waiter[]>();

  constructor(options: DestinationGatesOptions) {
    this.#o = options;
  }

  /** Whether the bridge sees the number as busy. */
  busy(number: string): boolean {
    return (this.#active.get(number)?.size ?? 0) > 0 || this.#o.agentBusyAt(number);
  }

  /** Transfers waiting for this number. */
  waiting(number: string): number {
    return this.#waiters.get(number)?.length ?? 0;
  }

  /**
   * Calls `proceed` now if the transfer may be placed, else when its turn comes; the number counts as called by this
   * transfer from then on (placed()), until ended(). Returns cancel() for a waiter.
   */
  request(number: string, callId: string, proceed: () => void): () => void {
    const queue = this.#waiters.get(number) ?? [];
    // A recalled call transferred to the same number again takes the turn it kept.
    const holdsTurn = this.#holds.get(number)?.callId === callId;
    if ((queue.length === 0 || holdsTurn) && this.#mayProceed(number, callId)) {
      this.placed(number, callId);
      proceed();
      return () => undefined;
    }
    const waiter = { callId, proceed };
    queue.push(waiter);
    this.#waiters.set(number, queue);
    return () => this.#removeWaiter(number, waiter);
  }

  /** The bridge calls the number for this transfer (request() marks it when the transfer proceeds). */
  placed(number: string, callId: string): void {
    let calls = this.#active.get(number);
    if (!calls) this.#active.set(number, (calls = new Set()));
    calls.add(callId);
    if (this.#o.settings.forceTransferOrder) {
      const hold = this.#holds.get(number);
      clearTimeout(hold?.timer);
      this.#holds.set(number, { callId, timer: undefined });
    }
  }

  /** The number answered the transfer: the transfer is complete; the number stays busy until ended(). */
  answered(number: string, callId: string): void {
    this.#release(number, callId);
  }

  /** The bridge's call to the number is over (either side hung up, or it failed). */
  ended(number: string, callId: string): void {
    const calls = this.#active.get(number);
    calls?.delete(callId);
    if (calls?.size === 0) this.#active.delete(number);
    this.pump(number);
  }

  /** The call recalled to its attendant: with Force Transfer Order it keeps its turn for pendingAgentTransferDelay. */
  recalled(number: string, callId: string): void {
    const hold = this.#holds.get(number);
    if (!hold || hold.callId !== callId) return;
    clearTimeout(hold.timer);
    hold.timer = setTimeout(() => this.#release(number, callId), this.#o.settings.pendingAgentTransferDelay);
    hold.timer.unref();
  }

  /** The caller hung up while the number rang: the transfer is over, the next may go. */
  abandoned(number: string, callId: string): void {
    this.#release(number, callId);
  }

  /** Re-checks the waiters of one number, or of every number (after an agent's state changed). */
  pump(number?: string): void {
    for (const n of number === undefined ? [...this.#waiters.keys()] : [number]) {
      const queue = this.#waiters.get(n);
      while (queue && queue.length > 0 && this.#mayProceed(n, queue[0]!.callId)) {
        const next = queue.shift()!;
        if (queue.length === 0) this.#waiters.delete(n);
        this.placed(n, next.callId);
        next.proceed();
      }
    }
  }

  close(): void {
    for (const hold of this.#holds.values()) clearTimeout(hold.timer);
    this.#holds.clear();
    this.#waiters.clear();
    this.#active.clear();
  }

  #mayProceed(number: string, callId: string): boolean {
    const { doNotTransferToBusy, forceTransferOrder } = this.#o.settings;
    if (doNotTransferToBusy && this.busy(number)) return false;
    if (forceTransferOrder) {
      const hold = this.#holds.get(number);
      if (hold && hold.callId !== callId) return false;
    }
    return true;
  }

  #release(number: string, callId: string): void {
    const hold = this.#holds.get(number);
    if (!hold || hold.callId !== callId) return;
    clearTimeout(hold.timer);
    this.#holds.delete(number);
    this.pump(number);
  }

  #removeWaiter(number: string, waiter: Waiter): void {
    const queue = this.#waiters.get(number);
    if (!queue) return;
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.#waiters.delete(number);
    else if (i === 0) this.pump(number);
  }
}
