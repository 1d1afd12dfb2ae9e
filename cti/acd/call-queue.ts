// One service group's waiting calls, kept sorted in the order of compareCalls() (waiting-call.ts).
//
// A sorted array with a moving head: a new call of the usual priority lands at the tail (O(1)), the head is taken
// in O(1), position() and finding a call are binary searches (O(log n)). Inserting a higher-priority or requeued
// call in the middle, and removing an abandoned one, move the entries behind it (one memmove, O(n) — about a
// microsecond for ten thousand waiting calls, far below a queue length a service group ever has), which keeps the
// structure simpler and faster than a tree at contact-centre sizes. A requeued call keeps its priority, arrival
// and sequence number, so it goes back exactly where it was.
import { compareCalls, type WaitingCall } from "./waiting-call.js";

/** Compact the array once this many taken entries sit before the head and they are at least half of it. */
const COMPACT_AFTER = 64;

export class CallQueue<T extends WaitingCall> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The call served next, if any. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Takes the call served next. */
  shift(): T | undefined {
    const call = this.#items[this.#head];
    if (call === undefined) return undefined;
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return call;
  }

  /** Puts a call at its place in the order. The same call must not be inserted twice. */
  insert(call: T): void {
    const items = this.#items;
    const last = items[items.length - 1];
    if (last === undefined || compareCalls(last, call) < 0) {
      items.push(call);
      return;
    }
    items.splice(this.#lowerBound(call), 0, call);
  }

  /** Removes a call; false when it is not in this queue. */
  remove(call: T): boolean {
    const i = this.#find(call);
    if (i < 0) return false;
    if (i === this.#head) this.shift();
    else this.#items.splice(i, 1);
    return true;
  }

  /** 1-based position of a call in the queue, or undefined when it is not in it. */
  position(call: T): number | undefined {
    const i = this.#find(call);
    return i < 0 ? undefined : i - this.#head + 1;
  }

  /**
   * The earliest arrival among the waiting calls (not always the head: a later high-priority call may be ahead).
   * Within one priority arrivals are sorted, so this looks at the first call of each priority: O(p log n).
   */
  oldestArrival(): number | undefined {
    const items = this.#items;
    let oldest: number | undefined;
    let i = this.#head;
    while (i < items.length) {
      const first = items[i]!;
      if (oldest === undefined || first.arrivedAt < oldest) oldest = first.arrivedAt;
      i = this.#firstWithPriorityBelow(first.priority, i);
    }
    return oldest;
  }

  /** The waiting calls in the order they will be served. */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  /** Index of the first entry that is not served before `call` (the call itself when it is queued). */
  #lowerBound(call: WaitingCall): number {
    let lo = this.#head;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCalls(this.#items[mid]!, call) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #find(call: T): number {
    const i = this.#lowerBound(call);
    return this.#items[i] === call ? i : -1;
  }

  #firstWithPriorityBelow(priority: number, from: number): number {
    let lo = from;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#items[mid]!.priority >= priority) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
