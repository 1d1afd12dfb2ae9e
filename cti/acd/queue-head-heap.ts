// The "*" service groups ordered by the call at the head of their queues (compareCalls), so an agent who becomes
// free finds the best waiting call of all "*" groups in O(1) and the order is kept in O(log g) per queue change,
// however many "*" groups there are. Groups with an empty queue are not in the heap.
import type { CallQueue } from "./call-queue.js";
import { compareCalls, type WaitingCall } from "./waiting-call.js";

export interface QueueOwner {
  readonly queue: CallQueue<WaitingCall>;
}

export class QueueHeadHeap<G extends QueueOwner> {
  readonly #heap: G[] = [];
  readonly #index = new Map<G, number>();

  get size(): number {
    return this.#heap.length;
  }

  /** The group whose head call goes first. */
  peek(): G | undefined {
    return this.#heap[0];
  }

  /** Call after the group's queue changed at its head (a call added, taken or removed). */
  update(group: G): void {
    const i = this.#index.get(group);
    if (group.queue.size === 0) {
      if (i !== undefined) this.#removeAt(i);
      return;
    }
    if (i === undefined) {
      this.#heap.push(group);
      this.#index.set(group, this.#heap.length - 1);
      this.#siftUp(this.#heap.length - 1);
    } else if (!this.#siftUp(i)) {
      this.#siftDown(i);
    }
  }

  #before(a: G, b: G): boolean {
    return compareCalls(a.queue.peek()!, b.queue.peek()!) < 0;
  }

  #removeAt(i: number): void {
    const heap = this.#heap;
    const removed = heap[i]!;
    const last = heap.pop()!;
    this.#index.delete(removed);
    if (i === heap.length) return;
    heap[i] = last;
    this.#index.set(last, i);
    if (!this.#siftUp(i)) this.#siftDown(i);
  }

  /** Returns whether the entry moved. */
  #siftUp(i: number): boolean {
    const heap = this.#heap;
    const item = heap[i]!;
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!this.#before(item, above)) break;
      heap[i] = above;
      this.#index.set(above, i);
      i = parent;
    }
    heap[i] = item;
    this.#index.set(item, i);
    return i !== start;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const item = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.#before(heap[right]!, heap[left]!) ? right : left;
      const below = heap[child]!;
      if (!this.#before(below, item)) break;
      heap[i] = below;
      this.#index.set(below, i);
      i = child;
    }
    heap[i] = item;
    this.#index.set(item, i);
  }
}
