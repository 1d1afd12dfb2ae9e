// A call waiting in a service group's queue, and the one order every queue and every cross-group choice uses.
//
// Order: priority (higher first), then arrival time (earlier first), then enqueue sequence (earlier first).
// Priorities are one scale across all service groups: an agent who serves groups A and B and becomes free takes
// a priority-2 call in A before a priority-1 call in B, however long the B call has waited; among equal
// priorities the call that arrived first wins, whichever group it waits in (the cross-queue fairness complaint of
// asterisk#108/#109 and freeswitch#2511). Give groups equal priorities when none should jump the others.

export interface WaitingCall {
  readonly callId: string;
  readonly groupId: string;
  /** Integer, higher goes first (default 0). */
  readonly priority: number;
  /** When the caller arrived, in ms (Date.now() scale). A call moved from another group may keep its first time. */
  readonly arrivedAt: number;
  /** Enqueue order, assigned by the dispatcher at the first enqueue and kept when the call is requeued. */
  readonly seq: number;
}

/** Negative when `a` is served before `b`, positive when after; 0 only for the same call. */
export function compareCalls(a: WaitingCall, b: WaitingCall): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.arrivedAt !== b.arrivedAt) return a.arrivedAt - b.arrivedAt;
  return a.seq - b.seq;
}
