// Which personal directory number a call to a personal-calls BVD was meant for: the most recent diverting number
// of the INVITE's Diversion header, else History-Info's targeted-to user, else the To user (a call manager that
// retargets without either keeps the original To, RFC 3261 §8.1.1.2). A value equal to the BVD itself names no
// agent and is passed over.
import { lastDivertingNumber } from "./diversion-header.js";
import { targetedToUser } from "./history-info-header.js";
import { parseNameAddrList, uriUser } from "./name-addr-list.js";

export type CalledNumberSource = "diversion" | "historyInfo" | "to";

export interface CalledPersonalNumber {
  number: string;
  source: CalledNumberSource;
}

/** Header lines by name (all lines of a header that may repeat). */
export type HeaderLines = (name: string) => readonly string[];

export function calledPersonalNumber(headers: HeaderLines, dialedNumber: string): CalledPersonalNumber | undefined {
  const candidates: [CalledNumberSource, string | undefined][] = [
    ["diversion", lastDivertingNumber(headers("Diversion"))],
    ["historyInfo", targetedToUser(headers("History-Info"))],
    ["to", toUser(headers("To"))],
  ];
  for (const [source, number] of candidates) {
    if (number !== undefined && number !== dialedNumber) return { number, source };
  }
  return undefined;
}

function toUser(lines: readonly string[]): string | undefined {
  const first = parseNameAddrList(lines.slice(0, 1))[0];
  return first ? uriUser(first.uri) : undefined;
}
