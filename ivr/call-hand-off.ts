// What a script can do with its call besides talking to the caller: hand it on. The call layer implements it for the
// call the script runs on (cti/calls/script-hand-off.ts, cti/calls/customer-authentication/); a block that hands the
// call on ends the script without hanging up, because the call now belongs to whoever took it.
//
//   deflect  → the agent reserved for this caller (customer authentication), with associated data
//   divert   → a number (the bridge calls it and joins the legs) or a BVD (its script or service access)
//   queue    → a service group's queue (the call distributor)
import type { CallProfile } from "./blocks/call-profile.js";

/** ok: the call is handed on and the script ends; failure: the script goes on at the block's failure branch. */
export type HandOffResult = "ok" | "failure";

export interface DeflectRequest {
  /** The number to return the call to: the reserved agent's extension (from the private data). */
  destination: string;
  /** Delivered with the call (SIP header X-CTI-Associated-Data, events, the API). "" for none. */
  associatedData: string;
  profile: CallProfile;
}

export interface DivertRequest {
  /** Called by the bridge with the caller's identity; the legs are joined when it answers. */
  number?: string;
  /** A configured BVD: the call goes on to its script or service access as if it had dialed it. */
  bvd?: string;
  /** How long the number may ring before the failure branch (numbers only). */
  ringTimeMs: number;
  profile: CallProfile;
}

export interface QueueRequest {
  serviceGroup: string;
  /** Queue priority (higher first). */
  priority: number;
  profile: CallProfile;
}

export interface CallHandOff {
  deflect(request: DeflectRequest): Promise<HandOffResult>;
  divert(request: DivertRequest): Promise<HandOffResult>;
  queue(request: QueueRequest): Promise<HandOffResult>;
}

/** What a block returns when it handed the call on (never a block id: ids start with a letter). */
export const HANDED_OFF = "@handedOff";
