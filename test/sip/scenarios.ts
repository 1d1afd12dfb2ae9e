// SIPp scenarios used by the SIP layer tests.
import { OK_TO_REQUEST, okToRequest, sdpBody } from "./sipp-fragments.js";

const SDP = sdpBody({ user: "user1", payloads: [0] });

const INVITE = `
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: "Alice Caller" <sip:1001@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:1001@[local_ip]:[local_port];transport=[transport]>
      X-Test: hello
      Content-Type: application/sdp
      Content-Length: [len]

${SDP}`;

const inDialog = (method: string, cseq: number, extra = "", body = ""): string => `
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: "Alice Caller" <sip:1001@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:1001@[local_ip]:[local_port];transport=[transport]>
      ${extra}Content-Length: [len]

      ${body}`;

/** Calls [service], waits for 200, ACKs, sends INFO DTMF "5", then BYE. */
export const uacCall = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac call">
  <send retrans="500"><![CDATA[${INVITE}]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[${inDialog("ACK", 1)}]]></send>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[${inDialog("INFO", 2, "Content-Type: application/dtmf-relay\n      ", "Signal=5\nDuration=160\n")}]]></send>
  <recv response="200"/>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[${inDialog("BYE", 3)}]]></send>
  <recv response="200" crlf="true"/>
</scenario>`;

/** A user-less OPTIONS like Asterisk's qualify; the 200 must carry an Allow header listing INVITE. */
export const optionsUserless = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="qualify">
  <send retrans="500"><![CDATA[
      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:asterisk@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Contact: <sip:asterisk@[local_ip]:[local_port]>
      Content-Length: 0

    ]]></send>
  <recv response="200">
    <action>
      <ereg regexp="INVITE" search_in="hdr" header="Allow:" check_it="true" assign_to="allow"/>
    </action>
  </recv>
  <Reference variables="allow"/>
</scenario>`;

/** The same OPTIONS, expecting 403 (sent from an address that is not allowed). */
export const optionsForbidden = optionsUserless
  .replace('<recv response="200">', '<recv response="403">')
  .replace(/<action>[\s\S]*<\/action>/, "")
  .replace('<Reference variables="allow"/>', "");

/** Answers OPTIONS with 200, for as many OPTIONS as -m allows (a call manager that is alive). */
export const uasAnswerOptions = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answer options">
  <recv request="OPTIONS"/>
${okToRequest("[pid]SIPpTag[call_number]")}
</scenario>`;

/** Calls [service], ACKs the 200, then waits for the bridge's BYE and answers it. */
export const uacCallAwaitingBye = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac call, remote hangs up">
  <send retrans="500"><![CDATA[${INVITE}]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[${inDialog("ACK", 1)}]]></send>
  <recv request="BYE"/>
${OK_TO_REQUEST}
</scenario>`;
