// An agent's phone that transfers: a SIPp phone registered at Kamailio that answers the bridge's INVITE, talks for a
// moment and sends a blind-transfer REFER in the dialog (as a desk phone's Transfer key does), then plays the
// transferor's part of RFC 3515: 202 expected, each NOTIFY answered 200, and the BYE the bridge sends answered 200.
import { runSipp, type SippProcess } from "../harness/sipp.js";
import { renderTemplate } from "../harness/sipp-scenario.js";
import { testTempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import type { SippTracedMessage } from "../harness/sipp-trace.js";
import { answer, OK_TO_REQUEST, RECV_INVITE_FOR_DIALOG, REFER_ACCEPTED, referRequest, sdpBody } from "../sip/sipp-fragments.js";
import { acdFixture } from "./acd-fixture.js";

/** A SIPp phone registered at Kamailio that answers the bridge's calls with its out-of-call scenario. */
export interface RegisteredPhone extends SippProcess {
  /** The n-th (1-based) INVITE received with a new Call-ID. */
  waitForInvite(n?: number, timeoutMs?: number): Promise<SippTracedMessage>;
  /** NOTIFYs received, in order: their sipfrag status lines ("SIP/2.0 100 Trying"). */
  notifyStatusLines(): string[];
}

export type TransferringPhone = RegisteredPhone;

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

function scenario(o: TransferringPhoneOptions): string {
  const status = o.expectReferStatus ?? 202;
  const afterRefer =
    status === 202
      ? `${REFER_ACCEPTED}\n  <recv request="BYE"/>\n${OK_TO_REQUEST}`
      : `  <recv response="${status}"/>\n  <recv request="BYE" timeout="30000"/>\n${OK_TO_REQUEST}`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="answer, then blind transfer with REFER">
${RECV_INVITE_FOR_DIALOG}
${answer(`${sdpBody({ mediaPort: o.sdpMediaPort })}\n    `)}
  <recv request="ACK" crlf="true"/>
  <pause milliseconds="${o.talkMs ?? 500}"/>
${referRequest({ referTo: o.referTo, referredBy: o.extension })}
${afterRefer}
</scenario>
`;
}

/** Registers `extension` at the proxy with `ooc` as the scenario for calls to it; resolves once the REGISTER got its 200. */
export async function registeredPhone(t: TeardownContext, proxyPort: number, extension: string, name: string, ooc: string): Promise<RegisteredPhone> {
  const dir = testTempDir(t, name);
  const sipp = await runSipp(
    [`127.0.0.1:${proxyPort}`, "-s", extension, "-m", "1", "-d", "86400000"],
    renderTemplate("register-and-wait.xml", {}),
    { name, dir, oocScenarioXml: ooc, timeoutMs: 86_400_000, t },
  );
  await sipp.waitForMessage((m) => m.direction === "received" && m.cseqMethod === "REGISTER" && m.status === 200, `200 to REGISTER ${extension}`, 5000);
  const invites = () => sipp.parsedMessages().filter((m, i, all) => m.direction === "received" && m.method === "INVITE" && all.findIndex((x) => x.method === "INVITE" && x.callId === m.callId) === i);
  return {
    ...sipp,
    async waitForInvite(n = 1, timeoutMs = 10_000) {
      await sipp.process.waitUntil(() => invites().length >= n, `INVITE #${n} to ${extension}`, timeoutMs, 10);
      return invites()[n - 1]!;
    },
    notifyStatusLines: () =>
      sipp
        .parsedMessages()
        .filter((m) => m.direction === "received" && m.method === "NOTIFY")
        .map((m) => /^SIP\/2\.0 \d{3} .*$/m.exec(m.text.split("\n\n").slice(1).join("\n"))?.[0] ?? ""),
  };
}

export function transferringPhone(o: TransferringPhoneOptions): Promise<TransferringPhone> {
  return registeredPhone(o.t, o.proxyPort, o.extension, `xfer-phone-${o.extension}`, scenario(o));
}
/** The ACD fixture, with the transfer events recorded too. */
export async function transferFixture(t: TeardownContext, config: string, bvds: string): Promise<Awaited<ReturnType<typeof acdFixture>>> {
  const f = await acdFixture(t, config, bvds);
  for (const name of ["call.transferred", "call.recalled"] as const) {
    f.daemon.bus.on(name, (data) => f.events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return f;
}
