// Which source addresses may send requests: the configured call managers and the trusted peers. Everything
// else is answered 403; the log line for a rejected address is rate-limited so a scanner cannot flood the log.

/** At most one log line per rejected address in this period. */
export const REJECTED_LOG_INTERVAL_MS = 60_000;
/** Bound on remembered rejected addresses (forgotten wholesale when exceeded). */
const MAX_REMEMBERED = 10_000;

export class PeerFilter {
  readonly #allowed: ReadonlySet<string>;
  readonly #lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(allowedAddresses: Iterable<string>) {
    this.#allowed = new Set(allowedAddresses);
  }

  isAllowed(address: string): boolean {
    return this.#allowed.has(normalizeAddress(address));
  }

  /**
   * Records a rejected request from `address`. Returns the number of rejections not logged since the last log
   * line for it (0 or more) when a line should be logged now, undefined when it should stay quiet.
   */
  noteRejected(address: string, now = Date.now()): number | undefined {
    const entry = this.#lastLogged.get(address);
    if (entry && now - entry.at < REJECTED_LOG_INTERVAL_MS) {
      entry.suppressed++;
      return undefined;
    }
    if (!entry && this.#lastLogged.size >= MAX_REMEMBERED) this.#lastLogged.clear();
    this.#lastLogged.set(address, { at: now, suppressed: 0 });
    return entry?.suppressed ?? 0;
  }
}

/** IPv4-mapped IPv6 ("::ffff:10.0.0.1", as TCP sockets may report) → plain IPv4. */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
