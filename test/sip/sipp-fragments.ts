// Pieces of SIPp scenario XML that several test phones send or expect in the same words: the INVITE kept for later,
// the answer (180 / 183 / 200 with SDP) built from the INVITE's headers, the phone's own in-dialog request, the 200
// to a request, and the SDP body. The scenarios in test/sip and test/integration are put together from these.
import { sdpMediaLines } from "../harness/sipp-scenario.js";

/** The To tag a phone puts on its responses to the INVITE unless a scenario needs another. */
export const PHONE_TAG = "[pid]SIPpTag01[call_number]";

/** The phone's own Contact (it registered as [service]). */
const CONTACT = "Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>";

export interface SdpBodyOptions {
  /** The o= user name (default "sipp"). */
  user?: string;
  /** The o= session version (default 2353687637; a re-INVITE's offer has a higher one). */
  version?: number;
  /** RTP goes to this port (a test sink); default SIPp's [media_port]. */
  mediaPort?: number;
  payloads?: readonly (0 | 8)[];
  /** Attribute lines after the media lines, e.g. "a=sendonly". */
  attributes?: readonly string[];
}

/** An SDP body, each line indented as in a CDATA block, ending in a newline. */
export function sdpBody(o: SdpBodyOptions = {}): string {
  return (
    `      v=0\n` +
    `      o=${o.user ?? "sipp"} 53655765 ${o.version ?? 2353687637} IN IP[local_ip_type] [local_ip]\n` +
    `      s=-\n` +
    `      c=IN IP[media_ip_type] [media_ip]\n` +
    `      t=0 0\n` +
    `${sdpMediaLines(o.mediaPort, o.payloads)}\n` +
    (o.attributes ?? []).map((a) => `      ${a}\n`).join("")
  );
}

type InviteHeader = "via" | "from" | "to" | "callId" | "cseq" | "recordRoute";

const KEEP_INVITE_HEADER: Record<InviteHeader, string> = {
  via:
    `      <!-- every Via line (a proxy adds its own above the caller's): a response to the INVITE needs them all -->\n` +
    `      <ereg regexp="Via:[^[:cntrl:]]*([[:cntrl:]]+Via:[^[:cntrl:]]*)*" search_in="msg" check_it="true" assign_to="invite_via"/>\n`,
  from: `      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="invite_from"/>\n`,
  to: `      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="invite_to"/>\n`,
  callId: `      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="invite_call_id"/>\n`,
  cseq: `      <ereg regexp=".*" search_in="hdr" header="CSeq:" check_it="true" assign_to="invite_cseq"/>\n`,
  recordRoute: `      <ereg regexp=".*" search_in="hdr" header="Record-Route:" check_it="false" assign_to="invite_rr"/>\n`,
};

/**
 * Receives the INVITE, keeping the headers named in SIPp variables (invite_via, invite_from, ...) for a later
 * response or an in-dialog request of the phone's own (SIPp refuses a variable no step uses: keep only those needed).
 */
export function recvInvite(keep: readonly InviteHeader[]): string {
  const order: InviteHeader[] = ["via", "from", "to", "callId", "cseq", "recordRoute"];
  return (
    `  <recv request="INVITE" crlf="true" rrs="true">\n    <action>\n` +
    order.filter((h) => keep.includes(h)).map((h) => KEEP_INVITE_HEADER[h]).join("") +
    `    </action>\n  </recv>`
  );
}

/** What an in-dialog request of the phone's own needs from the INVITE. */
export const RECV_INVITE_FOR_DIALOG = recvInvite(["from", "to", "callId"]);

/**
 * A response to the INVITE just received (180, 183, 200), with the phone's tag, Record-Route and Contact; with `sdp`,
 * an SDP body (the text between the blank line and `]]>`), else none.
 */
export function inviteResponse(o: { status: string; toTag?: string; sdp?: string; retrans?: boolean }): string {
  const ending = o.sdp === undefined ? `      Content-Length: 0\n\n    ]]>` : `      Content-Type: application/sdp\n      Content-Length: [len]\n\n${o.sdp}]]>`;
  return (
    `  <send${o.retrans === true ? ` retrans="500"` : ""}>\n    <![CDATA[\n` +
    `      SIP/2.0 ${o.status}\n` +
    `      [last_Via:]\n      [last_From:]\n      [last_To:];tag=${o.toTag ?? PHONE_TAG}\n      [last_Call-ID:]\n      [last_CSeq:]\n` +
    `      [last_Record-Route:]\n      ${CONTACT}\n` +
    `${ending}\n  </send>`
  );
}

export const RINGING = inviteResponse({ status: "180 Ringing" });

/** The 200 that answers the INVITE with `sdp` (retransmitted until the ACK). */
export const answer = (sdp: string, toTag?: string): string => inviteResponse({ status: "200 OK", toTag, sdp, retrans: true });

/** 200 to the request just received (BYE, NOTIFY, CANCEL, OPTIONS), no body; `toTag` for one outside a dialog. */
export function okToRequest(toTag?: string): string {
  return (
    `  <send>\n    <![CDATA[\n      SIP/2.0 200 OK\n      [last_Via:]\n      [last_From:]\n      [last_To:]${toTag === undefined ? "" : `;tag=${toTag}`}\n` +
    `      [last_Call-ID:]\n      [last_CSeq:]\n      Content-Length: 0\n\n    ]]>\n  </send>`
  );
}

export const OK_TO_REQUEST = okToRequest();

/**
 * The phone's own request in the dialog of the INVITE it answered (it is the callee: From is the INVITE's To with
 * its tag), from the variables `RECV_INVITE_FOR_DIALOG` keeps. `headers` go after Contact; with `body` (even "")
 * Content-Length is SIPp's [len], without it 0.
 */
export function phoneRequest(o: { method: string; cseq: number; headers?: readonly string[]; body?: string; retrans?: boolean; viaParams?: string }): string {
  const ending = o.body === undefined ? `      Content-Length: 0\n\n    ]]>` : `      Content-Length: [len]\n\n      ${o.body}]]>`;
  return (
    `  <send${o.retrans === false ? "" : ` retrans="500"`}>\n    <![CDATA[\n` +
    `      ${o.method} [next_url] SIP/2.0\n` +
    `      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]${o.viaParams ?? ""}\n` +
    `      Max-Forwards: 70\n` +
    `      From: [$invite_to];tag=${PHONE_TAG}\n` +
    `      To: [$invite_from]\n` +
    `      [routes]\n` +
    `      Call-ID: [$invite_call_id]\n` +
    `      CSeq: ${o.cseq} ${o.method}\n` +
    `      ${CONTACT}\n` +
    (o.headers ?? []).map((h) => `      ${h}\n`).join("") +
    `${ending}\n  </send>`
  );
}

/** A transfer REFER from the phone (RFC 3515) to user `referTo`; `uriHeaders` (e.g. "?Replaces=...") go in the Refer-To URI. */
export function referRequest(o: { referTo: string; uriHeaders?: string; referredBy: string }): string {
  return phoneRequest({
    method: "REFER",
    cseq: 1,
    viaParams: ";alias",
    headers: [`Refer-To: <sip:${o.referTo}@[remote_ip]:[remote_port]${o.uriHeaders ?? ""}>`, `Referred-By: <sip:${o.referredBy}@[remote_ip]:[remote_port]>`],
  });
}

/** The transferor's part after its REFER was accepted: 202, then NOTIFY 100 and the final NOTIFY, each answered 200. */
export const REFER_ACCEPTED = `  <recv response="202"/>
  <recv request="NOTIFY" crlf="true"/>
${OK_TO_REQUEST}
  <recv request="NOTIFY" crlf="true"/>
${OK_TO_REQUEST}`;
