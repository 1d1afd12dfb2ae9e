// RFC 3261 transaction timers (section 17 and table 4), in milliseconds. SIP.js sets the reliable-transport
// values for D, I, J and K and implements no retransmission at all; the UDP reliability layer uses these.

/** RTT estimate. */
export const T1 = 500;
/** Maximum retransmit interval for non-INVITE requests and INVITE responses. */
export const T2 = 4000;
/** Maximum duration a message will remain in the network. */
export const T4 = 5000;

/** INVITE request retransmit interval (UDP only), initially T1, doubling. */
export const TIMER_A = T1;
/** INVITE transaction timeout. */
export const TIMER_B = 64 * T1;
/** Wait time for response retransmits after a non-2xx final response to our INVITE (UDP). */
export const TIMER_D = 32_000;
/** Non-INVITE request retransmit interval (UDP only), initially T1, doubling up to T2. */
export const TIMER_E = T1;
/** Non-INVITE transaction timeout. */
export const TIMER_F = 64 * T1;
/** INVITE non-2xx final response retransmit interval, initially T1, doubling up to T2. */
export const TIMER_G = T1;
/** Wait time for ACK receipt. */
export const TIMER_H = 64 * T1;
/** Wait time for ACK retransmits. */
export const TIMER_I = T4;
/** Wait time for non-INVITE request retransmits (UDP). */
export const TIMER_J = 64 * T1;
/** Wait time for non-INVITE response retransmits (UDP). */
export const TIMER_K = T4;
/** RFC 6026: wait time for accepted INVITE request retransmits. */
export const TIMER_L = 64 * T1;
