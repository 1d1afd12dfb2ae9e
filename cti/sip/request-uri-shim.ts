// SIP.js's core answers 404 to any request whose Request-URI user is not the user agent's own (and drops such
// ACKs). A bridge accepts many users: BVD numbers (2000, 3000), user-less OPTIONS from Asterisk's qualify,
// in-dialog requests to whatever Contact the peer saw. So the core is shown a copy of the Request-URI carrying
// its own user, and the one that arrived is kept here.
import type { Core, URI } from "sip.js";

const originalRequestUris = new WeakMap<Core.IncomingRequestMessage, URI>();

/** Makes `message` acceptable to a core whose own user is `ownUser`, remembering the original Request-URI. */
export function acceptAnyRequestUri(message: Core.IncomingRequestMessage, ownUser: string): void {
  const ruri = message.ruri;
  if (ruri === undefined || ruri.user === ownUser || ruri.scheme !== "sip") return; // the core answers 416 for non-sip
  originalRequestUris.set(message, ruri);
  const shown = ruri.clone();
  shown.user = ownUser;
  message.ruri = shown;
}

/** The Request-URI as it arrived on the wire. */
export function originalRequestUri(message: Core.IncomingRequestMessage): URI | undefined {
  return originalRequestUris.get(message) ?? message.ruri;
}
