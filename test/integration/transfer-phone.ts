// An agent's phone that transfers: a SIPp phone registered at Kamailio that answers the bridge's INVITE, talks for a
// moment and sends a blind-transfer REFER in the dialog (as a desk phone's Transfer key does), then plays the
// transferor's part of RFC 3515: 202 expected, each NOTIFY answered 200, and the BYE the bridge sends answered 200.
import { runSipp, type SippProcess } from "../harness/sipp.js";
import { renderTemplate, sdpMediaLines } from "../harness/sipp-scenario.js";
import { testTempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import type { SippTracedMessage } from "../harness/sipp-trace.js";
import { acdFixture } from "./acd-fixture.js";

export interface TransferringPhone extends SippProcess {
  waitForInvite(n?: number, timeoutMs?: number): Promise<SippTracedMessage>;
  /** NOTIFYs received, in order: their sipfrag status lines ("SIP/2.0 100 Trying"). */
  notifyStatusLines(): string[];
}

export interface TransferringPhoneOptions {
  proxyPort: number;
  extension: string;
  /** The Refer-To user. */
  referTo: string;
  /** Talk this long after the ACK before the REFER. */
  talkMs?: number;
  /** The status the REFER is expected to get (default 202). Anything else: the phone then waits for the bridge's BYE
   * only if `expectBye` (default: only after a 202). */
  expectReferStatus?: number;
  /** RTP of the phone goes to this port (a test sink). */
  sdpMediaPort?: number;
  t: TeardownContext;
}

const OK_TO_REQUEST =
  `  <send>\n    <![CDATA[\n      SIP/2.0 200 OK\n      [last_Via:]\n      [last_From:]\n      [last_To:]\n` +
  `      [last_Call-ID:]\n      [last_CSeq:]\n      Content-Length: 0\n\n    ]]>\n  </send>\n`;

function scenario(o: TransferringPhoneOptions): string {
  const status = o.expectReferStatus ?? 202;
  const afterRefer =
    status === 202
      ? `  <recv response="202"/>\n` +
        `  <recv request="NOTIFY" crlf="true"/>\n${OK_TO_REQUEST}` +
        `  <recv request="NOTIFY" crlf="true"/>\n${OK_TO_REQUEST}` +
        `  <recv request="BYE"/>\n${OK_TO_REQUEST}`
      : `  <recv response="${status}"/>\n  <recv request="BYE" timeout="30000"/>\n${OK_TO_REQUEST}`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="answer, then blind transfer with REFER">
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="invite_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="invite_to"/>
      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="invite_call_id"/>
    </action>
  </recv>
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

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
${sdpMediaLines(o.sdpMediaPort)}

    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <pause milliseconds="${o.talkMs ?? 500}"/>
  <send retrans="500">
    <![CDATA[
      REFER [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];alias
      Max-Forwards: 70
      From: [$invite_to];tag=[pid]SIPpTag01[call_number]
      To: [$invite_from]
      [routes]
      Call-ID: [$invite_call_id]
      CSeq: 1 REFER
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Refer-To: <sip:${o.referTo}@[remote_ip]:[remote_port]>
      Referred-By: <sip:${o.extension}@[remote_ip]:[remote_port]>
      Content-Length: 0

    ]]>
  </send>
${afterRefer}</scenario>
`;
}

export async function transferringPhone(o: TransferringPhoneOptions): Promise<TransferringPhone> {
  const dir = testTempDir(o.t, `xfer-phone-${o.extension}`);
  const sipp = await runSipp(
    [`127.0.0.1:${o.proxyPort}`, "-s", o.extension, "-m", "1", "-d", "86400000"],
    renderTemplate("register-and-wait.xml", {}),
    { name: `xfer-phone-${o.extension}`, dir, oocScenarioXml: scenario(o), timeoutMs: 86_400_000, t: o.t },
  );
  await sipp.waitForMessage((m) => m.direction === "received" && m.cseqMethod === "REGISTER" && m.status === 200, `200 to REGISTER ${o.extension}`, 5000);
  const invites = () => sipp.parsedMessages().filter((m, i, all) => m.direction === "received" && m.method === "INVITE" && all.findIndex((x) => x.method === "INVITE" && x.callId === m.callId) === i);
  return {
    ...sipp,
    async waitForInvite(n = 1, timeoutMs = 10_000) {
      await sipp.process.waitUntil(() => invites().length >= n, `INVITE #${n} to ${o.extension}`, timeoutMs, 10);
      return invites()[n - 1]!;
    },
    notifyStatusLines: () =>
      sipp
        .parsedMessages()
        .filter((m) => m.direction === "received" && m.method === "NOTIFY")
        .map((m) => /^SIP\/2\.0 \d{3} .*$/m.exec(m.text.split("\n\n").slice(1).join("\n"))?.[0] ?? ""),
  };
}

/** The ACD fixture, with the transfer events recorded too. */
export async function transferFixture(t: TeardownContext, config: string, bvds: string): Promise<Awaited<ReturnType<typeof acdFixture>>> {
  const f = await acdFixture(t, config, bvds);
  for (const name of ["call.transferred", "call.recalled"] as const) {
    f.daemon.bus.on(name, (data) => f.events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return f;
}
