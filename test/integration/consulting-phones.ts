// The phones of an attended transfer (RFC 5589), as SIPp scenarios registered at Kamailio:
//
// - the transferring agent A is two SIPp processes standing in for one phone: `transferringAgentPhone` answers the
//   bridge's call (extension 1001) and, after `referAfterMs`, sends a REFER whose Refer-To carries
//   `?Replaces=<consultation dialog>`; `consultationCall` is A's own call to B through Kamailio (not through the
//   bridge), with a Call-ID and From tag agreed beforehand so the REFER can name that dialog, and it answers the BYE B
//   sends when the dialog is replaced.
// - the target B (`consultedPhone`) answers the consultation call, keeping its Call-ID, tags, Contact and route in
//   SIPp global variables; an INVITE with Replaces is checked against them: the dialog it names → 200 OK, ACK, then B
//   BYEs the consultation dialog as a real phone does (RFC 3891 3) and talks until the bridge hangs up; any other → 481.
import { runSipp, type SippProcess } from "../harness/sipp.js";
import { testTempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import { answer, OK_TO_REQUEST, RECV_INVITE_FOR_DIALOG, REFER_ACCEPTED, referRequest, sdpBody } from "../sip/sipp-fragments.js";
import { registeredPhone, type RegisteredPhone } from "./transfer-phone.js";

/** The consultation dialog as A and B agree on it: Call-ID, A's (caller's) tag, B's (callee's) tag. */
export interface ConsultationDialog {
  callId: string;
  fromTag: string;
  toTag: string;
}

/** The SDP body of an answer or offer, then the blank line and indent these scenarios end their CDATA with. */
const sdp = (port: number | undefined): string => `${sdpBody({ mediaPort: port })}\n    `;

export type PhoneWithInvites = RegisteredPhone;

/**
 * Agent A's phone in the bridge's call: answers, talks `referAfterMs`, then REFER with Replaces naming `replaces`
 * (as A's phone sees the consultation dialog, written for B: to-tag B's, from-tag A's). Then the transferor's part:
 * 202, NOTIFY 100 and the final NOTIFY answered 200, and the bridge's BYE answered 200 (at once after a success; when
 * the caller hangs up after a failure). `expectReferStatus`: the REFER is expected to be refused with it instead.
 */
export function transferringAgentPhone(o: { t: TeardownContext; proxyPort: number; extension: string; referTo: string; replaces: ConsultationDialog; referAfterMs: number; sdpMediaPort?: number; expectReferStatus?: number }): Promise<PhoneWithInvites> {
  const replaces = encodeURIComponent(`${o.replaces.callId};to-tag=${o.replaces.toTag};from-tag=${o.replaces.fromTag}`);
  const ooc = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="answer the bridge, then attended transfer: REFER with Replaces">
${RECV_INVITE_FOR_DIALOG}
${answer(sdp(o.sdpMediaPort))}
  <recv request="ACK" crlf="true"/>
  <pause milliseconds="${o.referAfterMs}"/>
${referRequest({ referTo: o.referTo, uriHeaders: `?Replaces=${replaces}`, referredBy: o.extension })}
${(o.expectReferStatus ?? 202) === 202 ? REFER_ACCEPTED : `  <recv response="${o.expectReferStatus}"/>`}
  <recv request="BYE" timeout="30000"/>
${OK_TO_REQUEST}
</scenario>
`;
  return registeredPhone(o.t, o.proxyPort, o.extension, `agent-a-${o.extension}`, ooc);
}

/** A's own consultation call to `to` through Kamailio (From `from`), with the agreed Call-ID and From tag; answers B's BYE. */
export function consultationCall(o: { t: TeardownContext; proxyPort: number; from: string; to: string; dialog: ConsultationDialog }): Promise<SippProcess> {
  const scenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="consultation call">
  <send retrans="500">
    <![CDATA[
      INVITE sip:${o.to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:${o.from}@[remote_ip]:[remote_port]>;tag=${o.dialog.fromTag}
      To: <sip:${o.to}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:${o.from}@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

${sdp(undefined)}]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      [routes]
      From: <sip:${o.from}@[remote_ip]:[remote_port]>;tag=${o.dialog.fromTag}
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0

    ]]>
  </send>
  <recv request="BYE" timeout="30000"/>
${OK_TO_REQUEST}
</scenario>
`;
  // -cid_str: the Call-ID agreed with the REFER (a format string: % is SIPp's, so the id has none).
  return runSipp([`127.0.0.1:${o.proxyPort}`, "-s", o.to, "-m", "1", "-cid_str", o.dialog.callId], scenario, {
    name: `consultation-${o.from}-${o.to}`, dir: testTempDir(o.t, `consultation-${o.from}`), timeoutMs: 60_000, t: o.t,
  });
}

/**
 * Agent B's phone: answers the consultation call with To tag `consultationTag`, and checks an INVITE with Replaces
 * against that dialog (200 and BYE of the consultation dialog, or 481). Its own part of the replacing call: ACK
 * expected, the bridge's BYE answered.
 */
export function consultedPhone(o: { t: TeardownContext; proxyPort: number; extension: string; consultationTag: string; sdpMediaPort?: number }): Promise<PhoneWithInvites> {
  const ooc = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="consulted phone: answers a consultation, accepts the INVITE that replaces it">
  <Global variables="c_cid,c_from_tag,c_from,c_to,c_contact,c_rr"/>
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="[^ ]+" search_in="hdr" header="Replaces:" assign_to="replacing"/>
      <ereg regexp="^ *([^; ]+)" search_in="hdr" header="Replaces:" assign_to="whole,r_cid"/>
      <ereg regexp="to-tag=([^; ]+)" search_in="hdr" header="Replaces:" assign_to="whole,r_to"/>
      <ereg regexp="from-tag=([^; ]+)" search_in="hdr" header="Replaces:" assign_to="whole,r_from"/>
      <ereg regexp="([^ ]+)" search_in="hdr" header="Call-ID:" check_it="true" assign_to="whole,l_cid"/>
      <ereg regexp="tag=([^;> ]+)" search_in="hdr" header="From:" check_it="true" assign_to="whole,l_from_tag"/>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="l_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="l_to"/>
      <ereg regexp="&lt;([^>]+)>" search_in="hdr" header="Contact:" check_it="true" assign_to="whole,l_contact"/>
      <ereg regexp=".*" search_in="hdr" header="Record-Route:" assign_to="l_rr"/>
    </action>
  </recv>
  <nop test="replacing" next="replace"/>
  <nop next="consultation"/>

  <label id="replace"/>
  <nop>
    <action>
      <strcmp assign_to="d_cid" variable="r_cid" variable2="c_cid"/>
      <strcmp assign_to="d_to" variable="r_to" value="${o.consultationTag}"/>
      <strcmp assign_to="d_from" variable="r_from" variable2="c_from_tag"/>
      <test assign_to="bad_cid" variable="d_cid" compare="not_equal" value="0"/>
      <test assign_to="bad_to" variable="d_to" compare="not_equal" value="0"/>
      <test assign_to="bad_from" variable="d_from" compare="not_equal" value="0"/>
    </action>
  </nop>
  <nop test="bad_cid" next="no_such_dialog"/>
  <nop test="bad_to" next="no_such_dialog"/>
  <nop test="bad_from" next="no_such_dialog"/>
${answer(sdp(o.sdpMediaPort), "[pid]SIPpTag02[call_number]")}
  <recv request="ACK" crlf="true"/>
  <send>
    <![CDATA[
      BYE [$c_contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      Route: [$c_rr]
      From: [$c_to];tag=${o.consultationTag}
      To: [$c_from]
      Call-ID: [$c_cid]
      CSeq: 2 BYE
      Content-Length: 0

    ]]>
  </send>
  <recv request="BYE" timeout="60000"/>
${OK_TO_REQUEST}
  <nop next="end"/>

  <label id="no_such_dialog"/>
  <send>
    <![CDATA[
      SIP/2.0 481 Call/Transaction Does Not Exist
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag03[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
  <nop next="end"/>

  <label id="consultation"/>
  <nop>
    <action>
      <assignstr assign_to="c_cid" value="[$l_cid]"/>
      <assignstr assign_to="c_from_tag" value="[$l_from_tag]"/>
      <assignstr assign_to="c_from" value="[$l_from]"/>
      <assignstr assign_to="c_to" value="[$l_to]"/>
      <assignstr assign_to="c_contact" value="[$l_contact]"/>
      <assignstr assign_to="c_rr" value="[$l_rr]"/>
    </action>
  </nop>
${answer(sdp(undefined), o.consultationTag)}
  <recv request="ACK" crlf="true"/>
  <!-- The 200 to the BYE the replacing call's part sent in this dialog (SIPp hands it to this call by its Call-ID). -->
  <recv response="200" timeout="60000"/>

  <label id="end"/>
</scenario>
`;
  return registeredPhone(o.t, o.proxyPort, o.extension, `agent-b-${o.extension}`, ooc);
}
