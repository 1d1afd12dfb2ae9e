// The SIP layer's public surface. Nothing from sip.js is exported: a drachtio backend could sit behind it.
export { SipStack, OWN_USER, type SipStackOptions, type SipStackDelegate } from "./sip-stack.js";
export type { IncomingCall, IncomingCallState, CallEndReason, CallSource } from "./incoming-call.js";
export { OUTGOING_CALL_ALLOW, type OutgoingCall, type OutgoingCallRequest, type OutgoingCallState, type OutgoingCallEnd } from "./outgoing-call.js";
export type { IncomingRefer, ReplacedDialog } from "./incoming-refer.js";
export type { LinkState } from "./call-manager-link.js";
export type { SipTransportStats } from "./sip-transport.js";
