// Turns RFC 4733 telephone-event packets into digits, one per key press. One key press is many packets with the
// same RTP timestamp (start with the marker bit, progress every 20 ms, then the end packet sent three times,
// notes/asterisk-interop.md §2), so events are told apart by RTP timestamp + event code, never by packet:
//
//   new (timestamp, event)                          → a digit (also when the start packets were lost)
//   same key, before its end                        → progress, ignored
//   same key, end retransmissions                   → ignored
//   same key after the end, marker bit set or
//   ≥ 50 ms after the end                           → a new key press (SIPp replaying the same pcap for "1111"
//                                                     repeats timestamps and sequence numbers exactly)
//   the previous key's stragglers (< 100 ms)         → ignored (late end retransmissions after a new digit)

export const DTMF_DIGITS = "0123456789*#ABCD";
export type DtmfDigit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "*" | "#" | "A" | "B" | "C" | "D";

/** After an end packet, a start of the same key this much later is a new key press. */
export const DTMF_REPEAT_GAP_MS = 50;
const STRAGGLER_WINDOW_MS = 100;

export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DTMF_DIGITS.includes(value.toUpperCase()) && value === value.toUpperCase();
}

export class Rfc4733DtmfReceiver {
  #timestamp = -1;
  #event = -1;
  #ended = false;
  #endedAt = 0;
  #lastSeenAt = 0;
  #previousTimestamp = -1;
  #previousEvent = -1;
  #previousSeenAt = 0;

  /**
   * Feeds the payload of one telephone-event packet (`payload[offset..]`, at least 4 bytes).
   * Returns the digit when this packet begins a new key press, else undefined.
   */
  receive(payload: Uint8Array, offset: number, length: number, timestamp: number, marker: boolean, nowMs: number): DtmfDigit | undefined {
    if (length < 4) return undefined;
    const event = payload[offset]!;
    if (event >= DTMF_DIGITS.length) return undefined; // flash hook and tones are not digits
    const end = (payload[offset + 1]! & 0x80) !== 0;

    if (timestamp === this.#timestamp && event === this.#event) {
      const since = nowMs - this.#endedAt;
      this.#lastSeenAt = nowMs;
      if (!this.#ended) {
        if (end) {
          this.#ended = true;
          this.#endedAt = nowMs;
        }
        return undefined;
      }
      if (end || (!marker && since < DTMF_REPEAT_GAP_MS)) return undefined;
      this.#ended = false; // the same key press replayed: a new digit
      return DTMF_DIGITS[event] as DtmfDigit;
    }

    if (
      timestamp === this.#previousTimestamp &&
      event === this.#previousEvent &&
      !marker &&
      nowMs - this.#previousSeenAt < STRAGGLER_WINDOW_MS
    ) {
      this.#previousSeenAt = nowMs;
      return undefined;
    }
    this.#previousTimestamp = this.#timestamp;
    this.#previousEvent = this.#event;
    this.#previousSeenAt = this.#lastSeenAt;
    this.#timestamp = timestamp;
    this.#event = event;
    this.#ended = end;
    this.#endedAt = nowMs;
    this.#lastSeenAt = nowMs;
    return DTMF_DIGITS[event] as DtmfDigit;
  }

  /** Forgets the current event (after a re-INVITE changed the remote stream). */
  reset(): void {
    this.#timestamp = -1;
    this.#event = -1;
    this.#previousTimestamp = -1;
    this.#previousEvent = -1;
    this.#ended = false;
  }
}
