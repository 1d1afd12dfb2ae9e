// SIPp scenarios for phones the bridge calls (run as -oocsf behind a registration), for the behaviours the
// harness's standard phones (answer / busy / no answer) do not cover: a 200 that crosses the bridge's CANCEL,
// and a phone that sends INFO DTMF and a re-INVITE (hold) inside the call.
import { answer, inviteResponse, OK_TO_REQUEST, phoneRequest, PHONE_TAG, recvInvite, RINGING, sdpBody } from "./sipp-fragments.js";

const ANSWER_SDP = sdpBody({ payloads: [0] });

/** Keeps what a later response to the INVITE or an in-dialog request of the phone's own needs. */
const RECV_INVITE = recvInvite(["via", "from", "to", "callId", "cseq", "recordRoute"]);

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
      To: [$invite_to];tag=${PHONE_TAG}
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
${answer(ANSWER_SDP)}
  <recv request="ACK" crlf="true"/>
${phoneRequest({ method: "INFO", cseq: 1, headers: ["Content-Type: application/dtmf-relay"], body: "Signal=7\nDuration=160\n" })}
  <recv response="200"/>
${phoneRequest({ method: "INVITE", cseq: 2, headers: ["Content-Type: application/sdp"], body: sdpBody({ payloads: [0], version: 2353687638, attributes: ["a=sendonly"] }).trimStart() })}
  <recv response="100" optional="true"/>
  <recv response="200"/>
${phoneRequest({ method: "ACK", cseq: 2, body: "", retrans: false })}
  <recv request="BYE"/>
${OK_TO_REQUEST}
  <Reference variables="invite_via,invite_cseq,invite_rr"/>
</scenario>`;

/** Early media: 183 Session Progress with the SDP answer, 300 ms later the 200 with the same SDP; waits for BYE. */
export const phoneEarlyMedia = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="183 with SDP, then 200">
  <recv request="INVITE" crlf="true" rrs="true"/>
${inviteResponse({ status: "183 Session Progress", sdp: ANSWER_SDP })}
  <pause milliseconds="300"/>
${answer(ANSWER_SDP)}
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
${OK_TO_REQUEST}
</scenario>`;
