// The Dispatch queue of "Voice – Manual Routing" groups: calls waiting for an agent to select them (manual:
// "The agent can select a call from the Dispatch queue for immediate routing to that agent"). A call is either
// reserved for the agent whose personal number was called (while that agent is busy, for the group's Maximum Wait
// Time for Personal Call) or generally available to every agent skilled for the group.
//
//   add(personal) ──maxWaitPersonal──► general ──take() (pick)──► gone (offered)
//   add(general) ─────────────────────────┘ ▲              │ offer not answered: add() again, same availability
//                                           └──────────────┘ caller hangs up: remove()

export type DispatchAvailability = "personal" | "general";

/** Why a call is in the dispatch queue. */
export type DispatchReason =
  /** The called number matched no agent. */
  | "unidentified"
  /** The agent was busy (with dispatch: the call waits here for the agent). */
  | "busy"
  /** The agent was not logged on and no default destination took the call. */
  | "notLoggedOn"
  /** The agent did not answer the personal call within the ring time. */
  | "noAnswer"
  /** Without dispatch: the wait for the busy agent ran out and no default destination took the call. */
  | "maxWait"
  /** A pick was not answered: back where it was. */
  | "pickNotAnswered";

export interface DispatchEntry {
  readonly callId: string;
  readonly groupId: string;
  /** The called personal directory number, when the call named one. */
  readonly personalNumber: string | undefined;
  /** The agent that number belongs to, when it matched one. */
  readonly intendedLogonId: string | undefined;
  availability: DispatchAvailability;
  reason: DispatchReason;
  /** When it (last) entered the dispatch queue, ms. */
  queuedAt: number;
}

export class DispatchQueue {
  readonly #entries = new Map<string, DispatchEntry>();

  add(entry: DispatchEntry): void {
    this.#entries.delete(entry.callId); // re-adding puts it at the back by its new queuedAt
    this.#entries.set(entry.callId, entry);
  }

  get(callId: string): DispatchEntry | undefined {
    return this.#entries.get(callId);
  }

  /** Removes and returns the entry (a pick, the caller gone, a deflection). */
  take(callId: string): DispatchEntry | undefined {
    const entry = this.#entries.get(callId);
    this.#entries.delete(callId);
    return entry;
  }

  /** Waiting calls, oldest first; of one group when given. */
  list(groupId?: string): DispatchEntry[] {
    const all = [...this.#entries.values()].filter((e) => groupId === undefined || e.groupId === groupId);
    return all.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  get size(): number {
    return this.#entries.size;
  }
}
