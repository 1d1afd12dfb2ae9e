// History-Info (RFC 7044): one entry per target the request was sent to, in the order they were tried, each with
// an index ("1", "1.1", "1.1.1") and a tag saying how its target was found: "rc" (the same user reached at another
// URI, e.g. a registered contact) or "mp" (a different user: the request was diverted, its value is the index of
// the entry it was diverted from). The user the caller meant — here the agent's personal number — is the
// entry the last "mp" entry was mapped from (RFC 7044 §10.3, target determination).
//
//   History-Info: <sip:4711@pbx>;index=1, <sip:4711@10.0.0.7>;index=1.1;rc=1, <sip:3100@pbx>;index=1.2;mp=1
//                 └ targeted-to user: 4711 (entry 1, named by mp=1) ┘          └ the BVD the call came to ┘
import { parseNameAddrList, uriUser } from "./name-addr-list.js";

export interface HistoryInfoEntry {
  /** The hi-targeted-to-uri's user part. */
  user: string | undefined;
  index: string | undefined;
  /** The index this entry was mapped from (mp) or retargeted from (rc), "" when the tag has no value. */
  mp?: string;
  rc?: string;
}

export function parseHistoryInfo(lines: readonly string[]): HistoryInfoEntry[] {
  return parseNameAddrList(lines).map((e) => {
    const entry: HistoryInfoEntry = { user: uriUser(e.uri), index: e.params.get("index") };
    const mp = e.params.get("mp");
    const rc = e.params.get("rc");
    if (mp !== undefined) entry.mp = mp;
    if (rc !== undefined) entry.rc = rc;
    return entry;
  });
}

/**
 * The targeted-to user: the entry the last "mp" entry names (or, without a value, the entry before it). Without any
 * "mp" tag (RFC 4244 senders), the entry before the last one — the last is the request's own target, the BVD —
 * or the only entry.
 */
export function targetedToUser(lines: readonly string[]): string | undefined {
  const entries = parseHistoryInfo(lines);
  if (entries.length === 0) return undefined;
  let lastMp = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]!.mp !== undefined) {
      lastMp = i;
      break;
    }
  }
  if (lastMp >= 0) {
    const from = entries[lastMp]!.mp;
    const named = from ? entries.find((e) => e.index === from) : undefined;
    return (named ?? entries[lastMp - 1])?.user;
  }
  return entries[entries.length >= 2 ? entries.length - 2 : 0]!.user;
}
