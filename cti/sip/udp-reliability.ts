// RFC 3261 section 17 retransmission for UDP, which SIP.js 0.21 leaves to the transport:
//   client: Timer A (INVITE, doubling) and E (non-INVITE, doubling up to T2, T2 once a provisional arrives),
//           bounded by B/F; retransmitted non-2xx finals to our INVITE are answered with the same ACK (Timer D).
//   server: Timer G (non-2xx final to INVITE, until ACK, bounded by H); request retransmissions are absorbed and
//           answered with the last response sent (INVITE: 17.2.1 and RFC 6026 Timer L; non-INVITE: Timer J).
// Matching is by top Via branch + CSeq method (CANCEL and ACK share the INVITE's branch).
import type { ScannedMessage } from "./sip-message-scan.js";
import { T1, T2, TIMER_B, TIMER_D, TIMER_F, TIMER_H, TIMER_J, TIMER_L } from "./timers.js";

export interface UdpDestination {
  host: string;
  port: number;
}

interface Retransmitting {
  timer: NodeJS.Timeout | undefined;
  deadline: number;
  interval: number;
  cap: number;
  readonly data: Buffer;
  readonly dest: UdpDestination;
}

interface ServerEntry {
  expires: number;
  response: Buffer | undefined;
  dest: UdpDestination | undefined;
}

interface AckEntry {
  expires: number;
  ack: Buffer | undefined;
  dest: UdpDestination | undefined;
}

// Server entries live TIMER_J / TIMER_L / TIMER_H after their last update (all 64*T1): one lifetime keeps a Map
// in expiry order when entries are re-inserted on update, so a periodic sweep only looks at expired ones.
const SERVER_ENTRY_LIFETIME = Math.max(TIMER_J, TIMER_L, TIMER_H);
const SWEEP_INTERVAL = 1000;

export class UdpReliability {
  #retransmissions = 0;
  readonly #clients = new Map<string, Retransmitting>();
  readonly #finals = new Map<string, Retransmitting>(); // Timer G, keyed by INVITE branch
  readonly #servers = new Map<string, ServerEntry>();
  readonly #acks = new Map<string, AckEntry>(); // Timer D, keyed by INVITE branch
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(private readonly resend: (data: Buffer, dest: UdpDestination) => void) {
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL);
    this.#sweeper.unref();
  }

  get retransmissions(): number {
    return this.#retransmissions;
  }

  /** Every message the transport sends over UDP passes here. */
  sent(m: ScannedMessage, data: Buffer, dest: UdpDestination): void {
    if (this.#closed || m.branch === undefined || m.cseqMethod === undefined) return;
    const key = `${m.branch}|${m.cseqMethod}`;
    if (!m.isResponse) {
      if (m.method === "ACK") {
        const pending = this.#acks.get(m.branch);
        if (pending) {
          pending.ack = data;
          pending.dest = dest;
        }
        return;
      }
      if (this.#clients.has(key)) return; // already retransmitting this one
      const invite = m.method === "INVITE";
      this.#arm(this.#clients, key, data, dest, invite ? Number.POSITIVE_INFINITY : T2, invite ? TIMER_B : TIMER_F);
      return;
    }
    const entry: ServerEntry = { expires: Date.now() + SERVER_ENTRY_LIFETIME, response: data, dest };
    this.#servers.delete(key);
    this.#servers.set(key, entry);
    if (m.cseqMethod === "INVITE" && m.statusCode >= 300 && !this.#finals.has(m.branch)) {
      this.#arm(this.#finals, m.branch, data, dest, T2, TIMER_H);
    }
  }

  /** Every message received over UDP passes here; true when it was a retransmission handled here. */
  received(m: ScannedMessage): boolean {
    if (this.#closed || m.branch === undefined || m.cseqMethod === undefined) return false;
    const key = `${m.branch}|${m.cseqMethod}`;
    if (m.isResponse) {
      const pending = this.#clients.get(key);
      if (pending) {
        if (m.cseqMethod === "INVITE" || m.statusCode >= 200) this.#disarm(this.#clients, key);
        else pending.cap = pending.interval = T2; // non-INVITE "Proceeding": keep going at T2
      }
      if (m.cseqMethod === "INVITE" && m.statusCode >= 300) {
        const ack = this.#acks.get(m.branch);
        if (ack?.ack && ack.dest) {
          this.#count();
          this.resend(ack.ack, ack.dest);
          return true;
        }
        if (!ack) this.#acks.set(m.branch, { expires: Date.now() + TIMER_D, ack: undefined, dest: undefined });
      }
      return false;
    }
    if (m.method === "ACK") {
      this.#disarm(this.#finals, m.branch);
      return false;
    }
    const known = this.#servers.get(key);
    if (known) {
      if (known.response && known.dest) {
        this.#count();
        this.resend(known.response, known.dest);
      }
      return true;
    }
    this.#servers.set(key, { expires: Date.now() + SERVER_ENTRY_LIFETIME, response: undefined, dest: undefined });
    return false;
  }

  /** Stops every timer and forgets every transaction; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const r of this.#clients.values()) clearTimeout(r.timer);
    for (const r of this.#finals.values()) clearTimeout(r.timer);
    this.#clients.clear();
    this.#finals.clear();
    this.#servers.clear();
    this.#acks.clear();
  }

  #count(): void {
    this.#retransmissions++;
  }

  #arm(table: Map<string, Retransmitting>, key: string, data: Buffer, dest: UdpDestination, cap: number, lifetime: number): void {
    const r: Retransmitting = { timer: undefined, deadline: Date.now() + lifetime, interval: T1, cap, data, dest };
    const fire = (): void => {
      if (this.#closed || Date.now() >= r.deadline) {
        table.delete(key);
        return;
      }
      this.#count();
      this.resend(r.data, r.dest);
      r.interval = Math.min(r.interval * 2, r.cap);
      if (Date.now() + r.interval > r.deadline) {
        table.delete(key);
        return;
      }
      r.timer = setTimeout(fire, r.interval);
    };
    r.timer = setTimeout(fire, r.interval);
    table.set(key, r);
  }

  #disarm(table: Map<string, Retransmitting>, key: string): void {
    const r = table.get(key);
    if (r) {
      clearTimeout(r.timer);
      table.delete(key);
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#servers) {
      if (entry.expires > now) break;
      this.#servers.delete(key);
    }
    for (const [key, entry] of this.#acks) {
      if (entry.expires > now) break;
      this.#acks.delete(key);
    }
  }
}
