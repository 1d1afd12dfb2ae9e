// SIPp scenarios for phones the bridge calls (run as -oocsf behind a registration), for the behaviours the
// harness's standard phones (answer / busy / no answer) do not cover: a 200 that crosses the bridge's CANCEL,
// and a phone that sends INFO DTMF and a re-INVITE (hold) inside the call.

const ANSWER_SDP = `v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
`;

/** Keeps what a later response to the INVITE or an in-dialog request of the phone's own needs. */
const RECV_INVITE = `
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <!-- every Via line (a proxy adds its own above the caller's): a response to the INVITE needs them all -->
      <ereg regexp="Via:[^[:cntrl:]]*([[:cntrl:]]+Via:[^[:cntrl:]]*)*" search_in="msg" check_it="true" assign_to="invite_via"/>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="invite_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="invite_to"/>
      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="invite_call_id"/>
      <ereg regexp=".*" search_in="hdr" header="CSeq:" check_it="true" assign_to="invite_cseq"/>
      <ereg regexp=".*" search_in="hdr" header="Record-Route:" check_it="false" assign_to="invite_rr"/>
    </action>
  </recv>`;

const RINGING = `
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>`;

/** The phone's own in-dialog request (it is the callee: From is the INVITE's To with its tag). */
const phoneRequest = (method: string, cseq: number, extra: string, body: string, retrans = true): string => `
  <send${retrans ? ` retrans="500"` : ""}>
    <![CDATA[
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: [$invite_to];tag=[pid]SIPpTag01[call_number]
      To: [$invite_from]
      [routes]
      Call-ID: [$invite_call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      ${extra}Content-Length: [len]

      ${body}]]>
  </send>`;

const OK_TO_REQUEST = `
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;

/**
 * Rings, and answers only once the CANCEL is there: 200 to the CANCEL, then a 200 OK to the INVITE (as if it had
 * answered just before the CANCEL arrived). The caller must ACK that 200 and BYE at once. (The 200 to the INVITE is
 * sent last so the caller's ACK cannot arrive between two of the phone's sends: SIPp would take it as unexpected.)
 */
export const phoneAnswersAcrossCancel = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="200 crosses the CANCEL">
${RECV_INVITE}
${RINGING}
  <recv request="CANCEL"/>
${OK_TO_REQUEST}
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [$invite_via]
      From: [$invite_from]
      To: [$invite_to];tag=[pid]SIPpTag01[call_number]
      Call-ID: [$invite_call_id]
      CSeq: [$invite_cseq]
      Record-Route: [$invite_rr]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${ANSWER_SDP}]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
${OK_TO_REQUEST}
</scenario>`;

/**
 * Answers, sends INFO DTMF "7", puts the call on hold with a re-INVITE (a=sendonly), ACKs the answer, then waits
 * for the caller's BYE.
 */
export const phoneDtmfAndHold = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answer, INFO DTMF, re-INVITE">
${RECV_INVITE}
${RINGING}
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${ANSWER_SDP}]]>
  </send>
  <recv request="ACK" crlf="true"/>
${phoneRequest("INFO", 1, "Content-Type: application/dtmf-relay\n      ", "Signal=7\nDuration=160\n")}
  <recv response="200"/>
${phoneRequest("INVITE", 2, "Content-Type: application/sdp\n      ", ANSWER_SDP.replace("53655765 2353687637", "53655765 2353687638").replace("a=fmtp:101 0-15\n", "a=fmtp:101 0-15\n      a=sendonly\n"))}
  <recv response="100" optional="true"/>
  <recv response="200"/>
${phoneRequest("ACK", 2, "", "", false)}
  <recv request="BYE"/>
${OK_TO_REQUEST}
  <Reference variables="invite_via,invite_cseq,invite_rr"/>
</scenario>`;

/** Early media: 183 Session Progress with the SDP answer, 300 ms later the 200 with the same SDP; waits for BYE. */
export const phoneEarlyMedia = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="183 with SDP, then 200">
  <recv request="INVITE" crlf="true" rrs="true"/>
  <send>
    <![CDATA[
      SIP/2.0 183 Session Progress
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${ANSWER_SDP}]]>
  </send>
  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${ANSWER_SDP}]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
${OK_TO_REQUEST}
</scenario>`;
