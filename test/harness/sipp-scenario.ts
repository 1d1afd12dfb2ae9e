// Renders SIPp scenarios from the templates in test/harness/scenarios/ ({{NAME}} placeholders). A caller's
// scenario is generated per call because its steps (DTMF digits, pauses, who hangs up) vary per call.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { harnessFile } from "./repo-root.js";
import { RTP_EVENT_CODES, writeRtpEventPcap } from "./rtp-event-pcap.js";

export function renderTemplate(file: string, vars: Record<string, string | number>): string {
  const text = readFileSync(harnessFile("scenarios", file), "utf8");
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`scenario ${file}: no value for {{${name}}}`);
    return String(v);
  });
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

const pause = (ms: number) => (ms > 0 ? `  <pause milliseconds="${Math.round(ms)}"/>\n` : "");

export interface DtmfTiming {
  /** Time from one digit's start to the next (default 300 ms, at least 250: a digit's pcap lasts ~200 ms). */
  digitMs?: number;
  /** Extra pause for each "," in a DTMF string, and between the strings of an array (default 1000 ms). */
  pauseMs?: number;
}

/**
 * DTMF steps: "1001#,1234#" or ["1001#", "1234#"] (a pause between). Each digit is played by play_pcap_audio to
 * the media address of the far end's SDP answer, from a pcap written into `pcapDir` (see rtp-event-pcap.ts: one
 * SSRC per call, increasing sequence numbers, a timestamp per digit). play_pcap_audio is asynchronous, so every
 * digit is followed by a pause at least as long as its pcap (~200 ms with the end packets).
 */
export function renderDtmfSteps(
  dtmf: string | readonly string[],
  timing: DtmfTiming,
  pcapDir: string,
  pcapPrefix: string,
): string {
  const digitMs = Math.max(timing.digitMs ?? 300, 250);
  const pauseMs = timing.pauseMs ?? 1000;
  const text = typeof dtmf === "string" ? dtmf : dtmf.join(",");
  const ssrc = randomBytes(4).readUInt32BE(0);
  let seq = randomBytes(2).readUInt16BE(0) & 0x7fff;
  const baseTs = randomBytes(4).readUInt32BE(0) & 0x7fffffff;
  let atMs = 0;
  let out = "";
  let index = 0;
  for (const ch of text) {
    if (ch === ",") {
      out += pause(pauseMs);
      atMs += pauseMs;
      continue;
    }
    if (ch === " ") continue;
    const event = RTP_EVENT_CODES[ch.toUpperCase()];
    if (event === undefined) throw new Error(`DTMF ${JSON.stringify(ch)}: use 0-9 * # A-D and "," for a pause`);
    const file = join(pcapDir, `${pcapPrefix}-dtmf-${++index}.pcap`);
    seq = writeRtpEventPcap(file, { event, ssrc, seq, timestamp: (baseTs + atMs * 8) >>> 0 });
    out += `  <nop><action><exec play_pcap_audio="${xmlAttr(file)}"/></action></nop>\n`;
    out += pause(digitMs);
    atMs += digitMs;
  }
  return out;
}

export interface CallScenarioOptions {
  dialed: string;
  /** The caller's user part in From and Contact (the daemon logs the agent on at this extension). */
  from: string;
  /** Final status the caller expects to the INVITE (default 200). Non-2xx: ACK it and end. */
  expectStatus?: number;
  dtmf?: string | readonly string[];
  dtmfTiming?: DtmfTiming;
  /** Pause after the ACK before the first digit (default 0). */
  waitBeforeDtmfMs?: number;
  /** Pause after the last digit before hanging up (hangup "local"; default 500). */
  holdAfterMs?: number;
  /** "local": the caller sends BYE; "remote": the caller waits for the far end's BYE (default local). */
  hangup?: "local" | "remote";
  /** How long a "remote" hangup waits for the BYE (default 30000 ms). */
  byeTimeoutMs?: number;
  /**
   * Give up: CANCEL this long after the 180 (which must come), then expect 200 to the CANCEL and 487 to the
   * INVITE, and ACK it. Other call options after the answer do not apply.
   */
  cancelAfterMs?: number;
  /** Extra INVITE headers, e.g. ["P-Asserted-Identity: <sip:555@127.0.0.1>"]. */
  headers?: readonly string[];
  /** Media port in the offer (default SIPp's own [media_port]): point it at a test socket to see the RTP. */
  sdpMediaPort?: number;
  /** G.711 payload types offered, in order (default PCMU, PCMA). */
  sdpPayloads?: readonly (0 | 8)[];
}

const SIP_TOKEN = /^[A-Za-z0-9_.!~*'()+#%;=&$,-]+$/;

const RTPMAP: Record<number, string> = { 0: "PCMU/8000", 8: "PCMA/8000" };

/** The SDP media lines of a caller or phone: audio on `port` with these G.711 payload types and telephone-event 101. */
export function sdpMediaLines(port: number | undefined, payloads: readonly (0 | 8)[] = [0, 8]): string {
  const indent = "      ";
  return (
    `${indent}m=audio ${port ?? "[media_port]"} RTP/AVP ${[...payloads, 101].join(" ")}\n` +
    payloads.map((pt) => `${indent}a=rtpmap:${pt} ${RTPMAP[pt]}\n`).join("") +
    `${indent}a=rtpmap:101 telephone-event/8000\n${indent}a=fmtp:101 0-15`
  );
}

/** `pcapDir`/`pcapPrefix`: where this call's DTMF pcaps are written (SIPp loads them when it parses the XML). */
export function renderCallScenario(o: CallScenarioOptions, pcapDir: string, pcapPrefix: string): string {
  for (const [k, v] of [["dialed", o.dialed], ["from", o.from]] as const) {
    if (!SIP_TOKEN.test(v) || v.includes("]")) throw new Error(`call: bad ${k} ${JSON.stringify(v)}`);
  }
  const expect = o.cancelAfterMs !== undefined ? 487 : (o.expectStatus ?? 200);
  const headers = (o.headers ?? []).map((h) => {
    if (/[\r\n]/.test(h) || !/^[A-Za-z0-9-]+:/.test(h)) throw new Error(`call: bad header ${JSON.stringify(h)}`);
    return `      ${h}\n`;
  });
  let after: string;
  if (o.cancelAfterMs !== undefined) {
    // After a provisional response [last_Via:] is the INVITE's Via: CANCEL and the ACK to 487 reuse its branch.
    after =
      `  <recv response="100" optional="true"/>\n  <recv response="180"/>\n` +
      pause(o.cancelAfterMs) +
      `  <send>\n    <![CDATA[\n` +
      `      CANCEL sip:${o.dialed}@[remote_ip]:[remote_port] SIP/2.0\n      [last_Via:]\n      Max-Forwards: 70\n` +
      `      From: <sip:${o.from}@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag09[call_number]\n` +
      `      To: <sip:${o.dialed}@[remote_ip]:[remote_port]>\n` +
      `      Call-ID: [call_id]\n      CSeq: 1 CANCEL\n      Content-Length: 0\n\n    ]]>\n  </send>\n` +
      `  <recv response="200"/>\n` +
      ackNon2xx(487);
  } else if (expect >= 200 && expect < 300) {
    after =
      `  <recv response="${expect}" rtd="true" rrs="true"/>\n` +
      inDialog("ACK", "1 ACK") +
      pause(o.waitBeforeDtmfMs ?? 0) +
      (o.dtmf !== undefined ? renderDtmfSteps(o.dtmf, o.dtmfTiming ?? {}, pcapDir, pcapPrefix) : "");
    if ((o.hangup ?? "local") === "local") {
      after += pause(o.holdAfterMs ?? 500) + inDialog("BYE", "2 BYE", true) + `  <recv response="200" crlf="true"/>\n`;
    } else {
      after += `  <recv request="BYE" timeout="${o.byeTimeoutMs ?? 30000}"/>\n` + OK_TO_REQUEST;
    }
  } else {
    after = ackNon2xx(expect);
  }
  if (o.cancelAfterMs === undefined) after = PROVISIONAL + after;
  return renderTemplate("caller.xml", {
    DIALED: o.dialed,
    FROM: o.from,
    TARGET: "[remote_ip]:[remote_port]",
    EXPECT: expect,
    EXTRA_HEADERS: headers.join(""),
    SDP_MEDIA: sdpMediaLines(o.sdpMediaPort, o.sdpPayloads),
    AFTER_INVITE: after,
  });

  /** Receive a non-2xx final response and ACK it: same Via (branch) as the INVITE, To with the response's tag. */
  function ackNon2xx(status: number): string {
    return (
      `  <recv response="${status}"/>\n` +
      `  <send>\n    <![CDATA[\n` +
      `      ACK sip:${o.dialed}@[remote_ip]:[remote_port] SIP/2.0\n      [last_Via:]\n      Max-Forwards: 70\n` +
      `      From: <sip:${o.from}@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag09[call_number]\n      [last_To:]\n` +
      `      Call-ID: [call_id]\n      CSeq: 1 ACK\n      Content-Length: 0\n\n    ]]>\n  </send>\n`
    );
  }

  function inDialog(method: string, cseq: string, retrans = false): string {
    return (
      `  <send${retrans ? ` retrans="500"` : ""}>\n    <![CDATA[\n` +
      `      ${method} [next_url] SIP/2.0\n` +
      `      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];alias\n      Max-Forwards: 70\n` +
      `      From: <sip:${o.from}@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag09[call_number]\n` +
      `      To: <sip:${o.dialed}@[remote_ip]:[remote_port]>[peer_tag_param]\n      [routes]\n` +
      `      Call-ID: [call_id]\n      CSeq: ${cseq}\n` +
      `      Contact: <sip:${o.from}@[local_ip]:[local_port];transport=[transport]>\n      Content-Length: 0\n\n` +
      `    ]]>\n  </send>\n`
    );
  }
}

const PROVISIONAL =
  `  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>\n` +
  `  <recv response="183" optional="true"/>\n`;

/** 200 OK to the request just received (BYE). */
const OK_TO_REQUEST =
  `  <send>\n    <![CDATA[\n      SIP/2.0 200 OK\n      [last_Via:]\n      [last_From:]\n      [last_To:]\n` +
  `      [last_Call-ID:]\n      [last_CSeq:]\n      Content-Length: 0\n\n    ]]>\n  </send>\n`;

export interface PhoneScenarioOptions {
  /** "auto": ring, then answer; "none": ring until CANCEL; "busy": 486. */
  answer: "auto" | "none" | "busy";
  /** Ring time before answering (default 0). */
  ringMs?: number;
  /** Hang up (send BYE) this long after the ACK; default: wait for the far end's BYE. */
  hangupAfterMs?: number;
  /** Media port put in the answer SDP (default SIPp's own [media_port]). */
  sdpMediaPort?: number;
  /** G.711 payload types answered, in order (default PCMU, PCMA). */
  sdpPayloads?: readonly (0 | 8)[];
}

/** The scenario a phone runs for each incoming call (-oocsf), or a plain UAS runs (-sf). */
export function renderPhoneScenario(o: PhoneScenarioOptions): string {
  if (o.answer === "none") return renderTemplate("phone-no-answer.xml", {});
  if (o.answer === "busy") return renderTemplate("phone-busy.xml", {});
  let afterAnswer: string;
  if (o.hangupAfterMs === undefined) {
    afterAnswer = `  <recv request="BYE"/>\n` + OK_TO_REQUEST;
  } else {
    afterAnswer =
      pause(o.hangupAfterMs) +
      `  <send retrans="500">\n    <![CDATA[\n      BYE [next_url] SIP/2.0\n` +
      `      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];alias\n      Max-Forwards: 70\n` +
      `      From: [$invite_to];tag=[pid]SIPpTag01[call_number]\n      To: [$invite_from]\n      [routes]\n` +
      `      Call-ID: [$invite_call_id]\n      CSeq: 1 BYE\n` +
      `      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>\n      Content-Length: 0\n\n` +
      `    ]]>\n  </send>\n  <recv response="200"/>\n`;
  }
  let xml = renderTemplate("phone-answer.xml", {
    RING_MS: Math.round(o.ringMs ?? 0),
    SDP_MEDIA: sdpMediaLines(o.sdpMediaPort, o.sdpPayloads),
    AFTER_ANSWER: afterAnswer,
  });
  if (o.hangupAfterMs !== undefined) {
    // Keep the INVITE's From/To/Call-ID: the phone's own BYE needs them after the ACK replaced the "last_" headers.
    xml = xml.replace(
      `<recv request="INVITE" crlf="true" rrs="true"/>`,
      `<recv request="INVITE" crlf="true" rrs="true">\n    <action>\n` +
        `      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="invite_from"/>\n` +
        `      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="invite_to"/>\n` +
        `      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="invite_call_id"/>\n` +
        `    </action>\n  </recv>`,
    );
  }
  return xml;
}
