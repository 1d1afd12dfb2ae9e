// What the call distributor and personal call routing say to each other. The distributor answers the caller, keeps
// the call and carries out offers (ring time supervision, CANCEL, media room, events); the personal call router
// (personal-call-router.ts) decides where a call to a group with Personal Calls goes.
import type { ServiceGroupCall } from "../service-group-call.js";

/** How a personal offer ended: answered (the call is a normal conversation now) or why not. */
export type PersonalOfferOutcome = "answered" | "noAnswer" | "busy" | "declined" | "failed" | "abandoned";

/** An offer personal call routing asked for (CallDistributor.offerTo), carried on the offer itself. */
export interface PersonalOffer {
  /** Rings this long instead of the group's ring time supervision (without dispatch: Maximum Wait Time for Personal Call). */
  ringTime: number;
  /** The idle state the agent had: a caller hanging up, or a port failure, puts it back; after the call it is kept. */
  before: { state: "idleReady" | "idleNotReady"; reason: string | undefined };
  /** Tells the router how the offer ended. */
  settle(outcome: PersonalOfferOutcome): void;
}

export interface PersonalCallHook {
  /** A caller was answered in a group with personalCalls: from here on the hook routes it (state "queued", no ACD queue). */
  arrived(call: ServiceGroupCall): void;
  /** True when a personal call waits for this agent: the distributor then offers it no queued call. */
  claimsAgent(logonId: string): boolean;
}
