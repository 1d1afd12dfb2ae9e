// A cheap single-pass look at a SIP message's start line and the few headers the transport needs (routing,
// retransmission matching, sanity checks, stateless answers) before SIP.js's full grammar parser runs.
// No regex is compiled per message: the few regexes are module constants.

export interface ScannedMessage {
  readonly text: string;
  readonly isResponse: boolean;
  /** Request method from the start line (undefined for responses). */
  readonly method: string | undefined;
  readonly requestUri: string | undefined;
  /** Response status code (0 for requests). */
  readonly statusCode: number;
  /** Index of the blank line ending the header section ("\r\n\r\n"), or -1. */
  readonly headEnd: number;
  /** Every Via header line's value, in order (a line may hold several comma-separated values). */
  readonly vias: string[];
  /** The first Via value: "SIP/2.0/UDP host:port;params". */
  readonly topVia: string | undefined;
  /** Where the top Via value ends in `text` (for stamping received/rport in place). */
  readonly topViaEnd: number;
  readonly branch: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly callId: string | undefined;
  readonly cseq: string | undefined;
  /** Method named in CSeq (upper case). */
  readonly cseqMethod: string | undefined;
  /** The first Route value, if any. */
  readonly topRoute: string | undefined;
  readonly contentLength: number | undefined;
}

const REQUEST_LINE = /^([A-Za-z]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d)(?: .*)?$/;
const BRANCH = /;\s*branch=([^;,\s]+)/i;
const CSEQ = /^(\d{1,10})\s+([A-Za-z]+)$/;
const DIGITS = /^\d+$/;

/** Header name (lower case, compact forms expanded) → field of interest. */
const WANTED: Record<string, "via" | "from" | "to" | "call-id" | "cseq" | "route" | "content-length"> = {
  via: "via", v: "via", from: "from", f: "from", to: "to", t: "to", "call-id": "call-id", i: "call-id",
  cseq: "cseq", route: "route", "content-length": "content-length", l: "content-length",
};

/** Scans `text`; undefined when the start line is neither a SIP request line nor a status line. */
export function scanMessage(text: string): ScannedMessage | undefined {
  const firstEol = text.indexOf("\r\n");
  if (firstEol <= 0) return undefined;
  const startLine = text.slice(0, firstEol);
  let method: string | undefined;
  let requestUri: string | undefined;
  let statusCode = 0;
  const isResponse = startLine.startsWith("SIP/2.0 ");
  if (isResponse) {
    const m = STATUS_LINE.exec(startLine);
    if (!m) return undefined;
    statusCode = Number(m[1]);
  } else {
    const m = REQUEST_LINE.exec(startLine);
    if (!m) return undefined;
    method = m[1]!.toUpperCase();
    requestUri = m[2];
  }
  const headEnd = text.indexOf("\r\n\r\n", firstEol - 2 < 0 ? 0 : firstEol - 2);
  const limit = headEnd < 0 ? text.length : headEnd;
  const vias: string[] = [];
  let topViaEnd = -1;
  let from: string | undefined, to: string | undefined, callId: string | undefined, cseq: string | undefined;
  let topRoute: string | undefined, contentLength: number | undefined;
  let pos = firstEol + 2;
  while (pos < limit) {
    let eol = text.indexOf("\r\n", pos);
    if (eol < 0 || eol > limit) eol = limit;
    const colon = text.indexOf(":", pos);
    if (colon > pos && colon < eol) {
      const name = text.slice(pos, colon).trim().toLowerCase();
      const field = WANTED[name];
      if (field !== undefined) {
        const value = text.slice(colon + 1, eol).trim();
        switch (field) {
          case "via":
            if (vias.length === 0) {
              const comma = value.indexOf(",");
              // End of the first value inside the raw text, after trimming trailing blanks.
              const valueStart = text.indexOf(value, colon + 1);
              topViaEnd = comma < 0 ? valueStart + value.length : valueStart + value.slice(0, comma).trimEnd().length;
            }
            vias.push(value);
            break;
          case "from": from ??= value; break;
          case "to": to ??= value; break;
          case "call-id": callId ??= value; break;
          case "cseq": cseq ??= value; break;
          case "route": topRoute ??= firstValue(value); break;
          case "content-length": contentLength ??= DIGITS.test(value) ? Number(value) : Number.NaN; break;
        }
      }
    }
    pos = eol + 2;
  }
  const topVia = vias.length > 0 ? firstValue(vias[0]!) : undefined;
  const cseqMatch = cseq !== undefined ? CSEQ.exec(cseq) : null;
  return {
    text, isResponse, method, requestUri, statusCode, headEnd, vias, topVia, topViaEnd,
    branch: topVia !== undefined ? BRANCH.exec(topVia)?.[1] : undefined,
    from, to, callId, cseq,
    cseqMethod: cseqMatch ? cseqMatch[2]!.toUpperCase() : undefined,
    topRoute, contentLength,
  };
}

function firstValue(value: string): string {
  const comma = value.indexOf(",");
  return (comma < 0 ? value : value.slice(0, comma)).trim();
}

/** Why a request cannot be processed although it can be answered; undefined when it looks sane. */
export function requestDefect(m: ScannedMessage): string | undefined {
  if (m.from === undefined) return "missing From";
  if (m.to === undefined) return "missing To";
  if (m.callId === undefined || m.callId === "") return "missing Call-ID";
  if (m.cseq === undefined) return "missing CSeq";
  if (m.cseqMethod === undefined) return "malformed CSeq";
  if (m.cseqMethod !== m.method) return "CSeq method does not match the request method";
  if (m.contentLength !== undefined && Number.isNaN(m.contentLength)) return "malformed Content-Length";
  if (m.branch === undefined) return "Via without branch";
  return undefined;
}

export interface HostPort {
  host: string;
  port: number | undefined;
}

const VIA_SENT_BY = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;:\s]+|\[[^\]]+\])(?::(\d+))?/i;
const VIA_RECEIVED = /;\s*received=([^;\s]+)/i;
const VIA_RPORT = /;\s*rport=(\d+)/i;

/** Where a response to this Via goes (RFC 3261 18.2.2 and RFC 3581): received/rport first, then sent-by. */
export function viaResponseTarget(via: string): (HostPort & { transport: string }) | undefined {
  const m = VIA_SENT_BY.exec(via);
  if (!m) return undefined;
  const received = VIA_RECEIVED.exec(via)?.[1];
  const rport = VIA_RPORT.exec(via)?.[1];
  return {
    transport: m[1]!.toLowerCase(),
    host: received ?? m[2]!,
    port: rport !== undefined ? Number(rport) : m[3] !== undefined ? Number(m[3]) : undefined,
  };
}

const URI_HOST_PORT = /^\s*(?:[^<]*<)?sips?:(?:[^@>]*@)?([^:;>?\s]+|\[[^\]]+\])(?::(\d+))?([^>?]*)/i;
const URI_TRANSPORT = /;transport=([A-Za-z]+)/i;

/** Host, port and transport parameter of a SIP URI or name-addr. */
export function uriTarget(uri: string): (HostPort & { transport: string | undefined }) | undefined {
  const m = URI_HOST_PORT.exec(uri);
  if (!m) return undefined;
  return {
    host: m[1]!,
    port: m[2] !== undefined ? Number(m[2]) : undefined,
    transport: URI_TRANSPORT.exec(m[3] ?? "")?.[1]?.toLowerCase(),
  };
}

const HAS_RPORT_FLAG = /;\s*rport(?=\s*(?:;|$))/i;

/**
 * RFC 3261 18.2.1 / RFC 3581: the top Via of an incoming request gets `received` and, when the client asked for
 * it, `rport`, so responses go back to where the request came from.
 */
export function stampTopVia(m: ScannedMessage, address: string, port: number): string {
  if (m.topVia === undefined || m.topViaEnd < 0) return m.text;
  const start = m.topViaEnd - m.topVia.length;
  return m.text.slice(0, start) + stampVia(m.topVia, address, port) + m.text.slice(m.topViaEnd);
}

/** One Via value with `received` added and a bare `rport` filled in. */
export function stampVia(via: string, address: string, port: number): string {
  let top = via;
  if (HAS_RPORT_FLAG.test(top)) top = top.replace(HAS_RPORT_FLAG, `;rport=${port}`);
  if (!VIA_RECEIVED.test(top)) top += `;received=${address}`;
  return top;
}
