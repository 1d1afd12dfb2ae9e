// A REFER a phone sends inside a dialog the bridge placed (RFC 3515): the agent's phone asks the bridge to transfer
// the other party. The bridge never lets SIP.js follow it (that would place a call the bridge does not control);
// the application decides, and reports progress to the phone with NOTIFYs carrying a message/sipfrag body.
//
//   received ──accept()──► accepted (202, NOTIFY "100 Trying", Subscription-State: active)
//      │                      └──notifyFinal(status)──► done (NOTIFY "200 OK" or the failure, terminated)
//      └──reject(status)──► done (4xx/6xx to the REFER, no subscription)
// Every method is idempotent in its own step; NOTIFY failures are logged, never thrown (the phone may have hung up).
import type { Referral, Core } from "sip.js";
import type { Logger } from "../log.js";

export interface IncomingRefer {
  /** The Refer-To URI's user part (the number the agent transferred to); "" when the URI has none. */
  readonly target: string;
  /** The Refer-To header as received. */
  readonly referTo: string;
  readonly referredBy: string | undefined;
  /** The Refer-To URI's Replaces header as received (percent-encoded) when the REFER is an attended transfer. */
  readonly replaces: string | undefined;
  /** The dialog that Replaces names (RFC 3891); undefined without Replaces or when it cannot be read. */
  readonly replacesDialog: ReplacedDialog | undefined;
  /** 202 Accepted, then NOTIFY "SIP/2.0 100 Trying" (RFC 3515 2.4.5: the first NOTIFY comes at once); resolves when it was answered. */
  accept(): Promise<void>;
  /**
   * The final NOTIFY: the status of the transfer ("200 OK" when it succeeded), Subscription-State terminated.
   * Resolves when the phone answered it (or it failed).
   */
  notifyFinal(status: number, reason: string): Promise<void>;
  /** Refuses the REFER itself (403, 404, 486, 488, 501 …). */
  reject(status: number, reason?: string): Promise<void>;
}

/**
 * The dialog a Replaces header names (RFC 3891 6.1), its tags as the UA receiving the INVITE sees them: `toTag` is that
 * UA's own tag, `fromTag` the other side's. For an attended transfer (RFC 5589) the transferor's phone writes it for
 * the transfer target: the consultation call's Call-ID, the target's tag, the transferor's tag.
 */
export interface ReplacedDialog {
  callId: string;
  toTag: string;
  fromTag: string;
  /** Replace the dialog only while it is early (not answered). */
  earlyOnly: boolean;
  /** The Replaces header value to send. */
  header: string;
}

const CALL_ID = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;
const TAG = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Reads a Replaces value as it sits in a Refer-To URI (percent-encoded) or in a header; undefined if malformed. */
export function parseReplaces(value: string): ReplacedDialog | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  const [callId, ...params] = decoded.split(";").map((p) => p.trim());
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const param of params) {
    const [name, v] = param.split("=", 2) as [string, string | undefined];
    const key = name.trim().toLowerCase();
    if (key === "to-tag") toTag = v?.trim();
    else if (key === "from-tag") fromTag = v?.trim();
    else if (key === "early-only") earlyOnly = true;
  }
  if (!callId || !CALL_ID.test(callId) || !toTag || !TAG.test(toTag) || !fromTag || !TAG.test(fromTag)) return undefined;
  return { callId, toTag, fromTag, earlyOnly, header: `${callId};to-tag=${toTag};from-tag=${fromTag}${earlyOnly ? ";early-only" : ""}` };
}

export interface IncomingReferInit {
  referral: Referral;
  /** Sends a NOTIFY in the session's dialog. */
  notify: (options: Core.RequestOptions, delegate: Core.OutgoingRequestDelegate) => void;
  /** The bridge's Contact in this dialog (RFC 6665 requires one in NOTIFY). */
  contact: string;
  logger: Logger;
}

type ReferState = "received" | "accepted" | "done";

export class SipIncomingRefer implements IncomingRefer {
  readonly target: string;
  readonly referTo: string;
  readonly referredBy: string | undefined;
  readonly replaces: string | undefined;
  readonly replacesDialog: ReplacedDialog | undefined;
  readonly #init: IncomingReferInit;
  #state: ReferState = "received";

  constructor(init: IncomingReferInit) {
    this.#init = init;
    const { referral } = init;
    this.referTo = referral.request.getHeader("refer-to") ?? "";
    let target = "";
    try {
      target = referral.referTo.uri.user ?? "";
    } catch {
      // An unparseable Refer-To: no target; the application rejects it.
    }
    this.target = target;
    this.referredBy = referral.referredBy;
    let replaces: string | undefined;
    try {
      replaces = referral.replaces;
    } catch {
      // An unparseable Refer-To has no Replaces either.
    }
    this.replaces = replaces;
    this.replacesDialog = replaces !== undefined ? parseReplaces(replaces) : undefined;
  }

  async accept(): Promise<void> {
    if (this.#state !== "received") return;
    this.#state = "accepted";
    try {
      await this.#init.referral.accept({ statusCode: 202, reasonPhrase: "Accepted" });
    } catch (e) {
      this.#init.logger.warn({ err: e }, "cannot answer REFER");
      return;
    }
    // Answered before anything else is sent, so the phone sees the NOTIFYs in order whatever the proxy does.
    await this.#sendNotify(100, "Trying", "active;expires=60");
  }

  async notifyFinal(status: number, reason: string): Promise<void> {
    if (this.#state !== "accepted") return;
    this.#state = "done";
    await this.#sendNotify(status, reason, "terminated;reason=noresource");
  }

  async reject(status: number, reason?: string): Promise<void> {
    if (this.#state !== "received") return;
    this.#state = "done";
    await this.#init.referral
      .reject(reason !== undefined ? { statusCode: status, reasonPhrase: reason } : { statusCode: status })
      .catch((e: unknown) => this.#init.logger.warn({ err: e }, "cannot reject REFER"));
  }

  #sendNotify(status: number, reason: string, subscriptionState: string): Promise<void> {
    return new Promise<void>((resolve) => {
      try {
        this.#init.notify(
          {
            extraHeaders: ["Event: refer", `Subscription-State: ${subscriptionState}`, `Contact: ${this.#init.contact}`],
            body: { contentDisposition: "render", contentType: "message/sipfrag;version=2.0", content: `SIP/2.0 ${status} ${reason}\r\n` },
          },
          { onAccept: () => resolve(), onReject: () => resolve() },
        );
      } catch (e) {
        this.#init.logger.warn({ err: e, status }, "cannot send NOTIFY for the REFER");
        resolve();
      }
    });
  }
}
