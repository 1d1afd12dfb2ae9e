// The pjsip.conf objects of the trunk between Asterisk and the bridge: endpoint, aor (where the bridge is) and
// identify (how Asterisk knows a request comes from the bridge). Every setting that is not Asterisk's default says
// why it is there; the facts were measured with Asterisk 22.10 (PJSIP) against the bridge's SIP behaviour.
import { ConfWriter } from "./conf-writer.js";

export interface BridgeTrunk {
  /** Name of the endpoint and aor (`Dial(PJSIP/2000@NAME)`). */
  name: string;
  /** The bridge's SIP address and port (sip.address, sip.port). */
  address: string;
  port: number;
  transport: "udp" | "tcp";
  /** Dialplan context of calls the bridge places through Asterisk. */
  context: string;
}

/** How often Asterisk sends OPTIONS to the bridge (the bridge checks its call managers every 5 s by default). */
export const QUALIFY_FREQUENCY_SECONDS = 5;

export function pjsipTrunk(trunk: BridgeTrunk, out: ConfWriter = new ConfWriter()): ConfWriter {
  const hostPort = `${trunk.address}:${trunk.port}`;
  // In Asterisk's files a bare ';' starts a comment: the URI parameter's ';' is written '\;'.
  const contact = `sip:${hostPort}${trunk.transport === "tcp" ? "\\;transport=tcp" : ""}`;

  out.section(trunk.name);
  out.option("type", "endpoint");
  out.comment(`Calls the bridge places through Asterisk (to agents' phones, or back to a BVD) start in [${trunk.context}].`);
  out.option("context", trunk.context);
  out.option("aors", trunk.name);
  out.comment(
    "The bridge's media server speaks G.711 only (PCMU, PCMA): Asterisk transcodes for phones using other codecs.",
  );
  out.option("allow", "!all,ulaw,alaw");
  out.comment(
    "Keys as RFC 4733 events (Asterisk's default, pinned here): the bridge reads them from its own RTP stream. " +
      "Measured: Asterisk passes a phone's events through unchanged, or regenerates them with the payload type " +
      "the bridge offered when it transcodes.",
  );
  out.option("dtmf_mode", "rfc4733");
  out.comment(
    "Media stays in Asterisk: the bridge plays prompts and reads keys on its own RTP stream, and Asterisk " +
      "never re-INVITEs the bridge to send its media straight to a phone.",
  );
  out.option("direct_media", "no");
  out.comment(
    "Measured: by default Asterisk takes the caller's identity from the bridge's From and ignores " +
      "P-Asserted-Identity. With this, the caller the bridge puts in P-Asserted-Identity (the customer, " +
      "on a call offered to an agent) is what the agent's phone gets.",
  );
  out.option("trust_id_inbound", "yes");
  out.comment(
    "Asterisk sends P-Asserted-Identity to the bridge, so the bridge sees the caller as Asterisk knows them. " +
      "Measured: phones get a P-Asserted-Identity only with send_pai = yes on their own endpoints too.",
  );
  out.option("send_pai", "yes");
  out.comment(
    "No session timers: the bridge never refreshes a session. Measured: with a timer agreed and no refresh, " +
      "Asterisk hangs up at about 2/3 of Session-Expires (\"No session refresh received\").",
  );
  out.option("timers", "no");
  out.blank();

  out.section(trunk.name);
  out.option("type", "aor");
  out.comment(
    `Where the bridge listens (sip.address:sip.port over ${trunk.transport.toUpperCase()}): ` +
      `Dial(PJSIP/2000@${trunk.name}) sends INVITE sip:2000@${hostPort}.`,
  );
  out.option("contact", contact);
  out.comment(
    `OPTIONS to the bridge every ${QUALIFY_FREQUENCY_SECONDS} s (it answers them). Measured: with no answer ` +
      "within qualify_timeout (3 s) Asterisk marks the bridge Unreachable and fails calls to BVD numbers at once " +
      "instead of sending INVITEs nobody answers.",
  );
  out.option("qualify_frequency", String(QUALIFY_FREQUENCY_SECONDS));
  out.blank();

  out.section(`${trunk.name}-identify`);
  out.option("type", "identify");
  out.option("endpoint", trunk.name);
  if (trunk.transport === "udp") {
    out.comment(
      "Requests from the bridge are known by source address AND port: measured, phones on the same address " +
        "would otherwise be taken for the bridge. The bridge sends all its SIP from its listening socket.",
    );
    out.option("match", hostPort);
  } else {
    out.comment(
      "Over TCP the bridge's own connections come from a port chosen by the system, so only the address can be " +
        "matched: give the bridge an address no phone uses.",
    );
    out.option("match", trunk.address);
  }
  return out;
}
