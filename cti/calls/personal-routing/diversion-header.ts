// Diversion (RFC 5806): every proxy or PBX that diverts a call adds an entry at the top, so the first entry names
// the number diverted most recently — the number the caller reached before the call came to the bridge's BVD
// (the agent's personal directory number, diverted to the CTI group: the manual's "Configuring Personal Call
// Routing", step 1).
//
//   Diversion: <sip:4711@pbx.example.com>;reason=unconditional;counter=1, <sip:4700@pbx.example.com>;reason=no-answer
//              └────── most recent: 4711 ──────┘
import { parseNameAddrList, uriUser } from "./name-addr-list.js";

export interface DiversionEntry {
  /** The diverting number (the user part of the entry's URI). */
  number: string;
  /** RFC 5806 reason (unconditional, user-busy, no-answer, deflection, …), when given. */
  reason?: string;
}

/** Every entry of the Diversion header lines, most recent first; entries without a user part are skipped. */
export function parseDiversion(lines: readonly string[]): DiversionEntry[] {
  const entries: DiversionEntry[] = [];
  for (const e of parseNameAddrList(lines)) {
    const number = uriUser(e.uri);
    if (number === undefined) continue;
    const reason = e.params.get("reason");
    entries.push(reason ? { number, reason } : { number });
  }
  return entries;
}

/** The most recently diverting number, if the call was diverted. */
export function lastDivertingNumber(lines: readonly string[]): string | undefined {
  return parseDiversion(lines)[0]?.number;
}
