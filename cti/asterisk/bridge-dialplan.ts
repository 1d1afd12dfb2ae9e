// The extensions.conf part of the Asterisk integration:
//
//   phone ──dials a BVD──► [phones' context] ──Dial, b(cti-xfer-mark)──► bridge
//   bridge ──calls an agent──► [from-<trunk>] ──Dial, b(cti-copy-hdr)──► phone (with the bridge's X-CTI- headers)
//   bridge ──dials a BVD or a destination number──► [from-<trunk>] ──Goto──► [phones' context]
//
// Two measured Asterisk 22 behaviours shape it: an agent's blind transfer never reaches the bridge as a REFER (Asterisk
// answers it and dials the BVD again, so cti-xfer-mark marks that INVITE), and X- headers are dropped unless the
// dialplan copies them (cti-copy-hdr).
import { ConfWriter, commentText } from "./conf-writer.js";
import { HEADERS_COPIED_TO_PHONES, TRANSFER_MARK_HEADERS } from "../sip/cti-headers.js";

export const TRANSFER_MARK_SUBROUTINE = "cti-xfer-mark";
export const COPY_HEADERS_SUBROUTINE = "cti-copy-hdr";

export interface DialplanNumber {
  number: string;
  /** What the number is, for the comment above it (e.g. "logon", "serviceAccess sales-line: Sales line"). */
  about: string;
}

export interface BridgeDialplan {
  /** PJSIP endpoint of the bridge. */
  trunkName: string;
  /** Context of the phones (their endpoints' `context =`). */
  phonesContext: string;
  /** Context of calls the bridge places (the trunk endpoint's `context =`). */
  bridgeContext: string;
  bvds: readonly DialplanNumber[];
  /** Numbers the bridge sends callers to that are not BVDs (overflow, closed destinations). */
  destinations: readonly DialplanNumber[];
}

/** Channel variables carrying the bridge's headers to the phone's channel (`_` = inherited by the dialled channel). */
const COPIED = [
  { variable: "CTI_CALL_ID", header: HEADERS_COPIED_TO_PHONES.callId, label: "callid" },
  { variable: "CTI_SERVICE_GROUP", header: HEADERS_COPIED_TO_PHONES.serviceGroup, label: "group" },
  { variable: "CTI_ASSOCIATED_DATA", header: HEADERS_COPIED_TO_PHONES.associatedData, label: "data" },
  { variable: "CTI_CALL_PROFILE", header: HEADERS_COPIED_TO_PHONES.callProfile, label: "profile" },
] as const;

function dialBridge(trunkName: string): string {
  const identity = ["${BLINDTRANSFER}", "${CHANNEL(endpoint)}", "${CHANNEL(pjsip,call-id)}", "${CHANNEL(pjsip,local_tag)}", "${CHANNEL(pjsip,remote_tag)}"];
  return `Dial(PJSIP/\${EXTEN}@${trunkName},,b(${TRANSFER_MARK_SUBROUTINE}^s^1(${identity.join("^")})))`;
}

export function bridgeDialplan(plan: BridgeDialplan, out: ConfWriter = new ConfWriter()): ConfWriter {
  const bvdNumbers = new Set(plan.bvds.map((b) => b.number));

  out.section(plan.phonesContext);
  out.comment(
    `Every BVD number goes to the bridge. These lines belong in your phones' context (the context of the phone ` +
      `endpoints): a second [${plan.phonesContext}] section adds its lines to the context of that name. ` +
      "A phone's blind transfer to a BVD also runs here: Asterisk moves the transferred call into the " +
      `transferring phone's context and dials the BVD again (measured), and ${TRANSFER_MARK_SUBROUTINE} marks ` +
      "that INVITE. No ring timeout: the bridge answers, queues or refuses the call itself.",
  );
  if (plan.bvds.length === 0) out.comment("(The configuration has no BVD numbers.)");
  for (const bvd of plan.bvds) {
    out.comment(`${bvd.number}: ${bvd.about}`);
    out.line(`exten => ${bvd.number},1,${dialBridge(plan.trunkName)}`);
    out.line(" same => n,Hangup()");
  }
  out.blank();

  out.section(plan.bridgeContext);
  out.comment(
    "Calls the bridge places through Asterisk. A BVD number the bridge dials goes back to the bridge through " +
      "the phones' context (hairpin), as if a phone had dialled it.",
  );
  for (const bvd of plan.bvds) out.line(`exten => ${bvd.number},1,Goto(${plan.phonesContext},\${EXTEN},1)`);
  const destinations = plan.destinations.filter((d) => !bvdNumbers.has(d.number));
  if (destinations.length > 0) {
    out.comment("Numbers the configuration sends callers to (overflow, closed service groups) are dialled as a phone would dial them.");
    for (const d of destinations) {
      out.comment(`${d.number}: ${d.about}`);
      out.line(`exten => ${d.number},1,Goto(${plan.phonesContext},\${EXTEN},1)`);
    }
  }
  out.comment(
    "Any other number is an agent's extension: ring the phone endpoint of that name, with the bridge's " +
      `${COPIED.map((c) => c.header).join(", ")} headers copied to the phone's INVITE (measured: Asterisk drops ` +
      "X- headers unless the dialplan copies them). The values travel in inherited channel variables, not " +
      "Gosub arguments, so a comma in associated data cannot split them. No ring timeout: the bridge supervises " +
      "ring time and cancels.",
  );
  COPIED.forEach((c, i) => {
    const prefix = i === 0 ? "exten => _X.,1" : " same => n";
    out.line(`${prefix},Set(_${c.variable}=\${PJSIP_HEADER(read,${c.header})})`);
  });
  out.line(` same => n,Dial(PJSIP/\${EXTEN},,b(${COPY_HEADERS_SUBROUTINE}^s^1))`);
  out.line(" same => n,Hangup()");
  out.blank();

  out.section(TRANSFER_MARK_SUBROUTINE);
  out.comment(
    "Pre-dial handler of the Dial to the bridge, run on the new channel with the identity of the calling one. " +
      "Measured: an agent's blind transfer (REFER) is answered by Asterisk itself, which keeps the bridge's call " +
      "leg up and dials the BVD again. The new INVITE says nothing about the call it came from. When the calling " +
      `channel is a transferred leg of the bridge (BLINDTRANSFER set, endpoint ${plan.trunkName}), its SIP ` +
      `Call-ID and tags go into ${TRANSFER_MARK_HEADERS.callId} and ${TRANSFER_MARK_HEADERS.tags}, so the bridge ` +
      "recognises its own call (rejecting the new INVITE makes Asterisk hang up the original leg).",
  );
  out.line(`exten => s,1,GotoIf($["\${ARG1}" = "" | "\${ARG2}" != "${plan.trunkName}"]?done)`);
  out.line(` same => n,Set(PJSIP_HEADER(add,${TRANSFER_MARK_HEADERS.callId})=\${ARG3})`);
  out.line(` same => n,Set(PJSIP_HEADER(add,${TRANSFER_MARK_HEADERS.tags})=local=\${ARG4}\\;remote=\${ARG5})`);
  out.line(" same => n(done),Return()");
  out.blank();

  out.section(COPY_HEADERS_SUBROUTINE);
  out.comment("Pre-dial handler of the Dial to an agent's phone: adds each of the bridge's headers the call carried.");
  COPIED.forEach((c, i) => {
    const next = COPIED[i + 1]?.label ?? "done";
    const prefix = i === 0 ? "exten => s,1" : ` same => n(${c.label})`;
    out.line(`${prefix},GotoIf($[\${LEN(\${${c.variable}})} = 0]?${next})`);
    out.line(` same => n,Set(PJSIP_HEADER(add,${c.header})=\${${c.variable}})`);
  });
  out.line(" same => n(done),Return()");
  return out;
}

/** The comment line describing a number, from configuration text. */
export function describeNumber(parts: readonly (string | undefined)[]): string {
  return commentText(parts.filter((p): p is string => !!p && p.trim() !== "").join(" "));
}
