// One incoming INVITE dialog, as the rest of the bridge sees it. Wraps a SIP.js Invitation so SIP.js stays
// inside cti/sip/.
//
//   offered ──accept()──► established ──hangup()/remote BYE──► ended
//      └──reject()/hangup()/CANCEL/failure──────────────────────►┘
import { SessionState, type Info, type Invitation } from "sip.js";
import { CtiError, Errors } from "../errors.js";
import { TypedEmitter } from "../events/typed-emitter.js";
import type { Logger } from "../log.js";
import type { SdpSource } from "./call-sdh.js";

export type IncomingCallState = "offered" | "established" | "ended";
export type CallEndReason = "remoteBye" | "localBye" | "cancelled" | "rejected" | "failed";
export type CallSource = { address: string; port: number; transport: "udp" | "tcp" };

export interface IncomingCall {
  readonly callId: string;
  /** Request-URI user as it arrived (the BVD). */
  readonly dialedNumber: string;
  /** From user (the calling extension). */
  readonly callerNumber: string;
  /** From display name. */
  readonly callerName: string | undefined;
  /** Configured call manager whose address it came from (undefined for trusted peers). */
  readonly callManagerId: string | undefined;
  readonly source: CallSource;
  /** The INVITE's SDP offer. */
  readonly remoteSdp: string | undefined;
  header(name: string): string | undefined;
  /** Every line of a header that may repeat (Diversion, History-Info), in the order received. */
  headers(name: string): string[];
  /** 200 OK with this SDP answer. */
  accept(localSdp: string): Promise<void>;
  /** A final error response, e.g. 488 when no codec is in common. */
  reject(statusCode: number, reason?: string): Promise<void>;
  /** BYE if established (resolves when the BYE is answered), else reject 480; idempotent. */
  hangup(): Promise<void>;
  readonly state: IncomingCallState;
  on(event: "dtmf", listener: (digit: string) => void): this;
  on(event: "ended", listener: (reason: CallEndReason) => void): this;
  off(event: "dtmf", listener: (digit: string) => void): this;
  off(event: "ended", listener: (reason: CallEndReason) => void): this;
}

export type IncomingCallEvents = {
  dtmf: [digit: string];
  ended: [reason: CallEndReason];
};

export interface IncomingCallInit {
  invitation: Invitation;
  dialedNumber: string;
  callManagerId: string | undefined;
  source: CallSource;
  logger: Logger;
}

const DTMF_RELAY_SIGNAL = /^\s*signal\s*=\s*([0-9A-Da-d*#]|1[0-5])\s*$/im;
const DTMF_PLAIN = /^\s*([0-9A-Da-d*#])\s*$/;
const EVENT_DIGITS = "0123456789*#ABCD";

/** The digit an INFO body carries (application/dtmf-relay "Signal=5" or application/dtmf "5"), if any. */
export function dtmfDigitOf(contentType: string, body: string): string | undefined {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  let raw: string | undefined;
  if (type === "application/dtmf-relay") raw = DTMF_RELAY_SIGNAL.exec(body)?.[1];
  else if (type === "application/dtmf") raw = DTMF_PLAIN.exec(body)?.[1];
  if (raw === undefined) return undefined;
  // Some phones send the RFC 4733 event number (10 = *, 11 = #, 12-15 = A-D) instead of the character.
  return raw.length === 2 ? EVENT_DIGITS[Number(raw)] : raw.toUpperCase();
}

export class SipIncomingCall extends TypedEmitter<IncomingCallEvents> implements IncomingCall, SdpSource {
  readonly callId: string;
  readonly dialedNumber: string;
  readonly callerNumber: string;
  readonly callerName: string | undefined;
  readonly callManagerId: string | undefined;
  readonly source: CallSource;
  #remoteSdp: string | undefined;
  #localSdp: string | undefined;
  #state: IncomingCallState = "offered";
  #endReason: CallEndReason | undefined;
  #hangup: Promise<void> | undefined;
  readonly #invitation: Invitation;
  readonly #logger: Logger;

  constructor(init: IncomingCallInit) {
    super();
    const inv = init.invitation;
    this.#invitation = inv;
    this.callId = inv.request.callId;
    this.dialedNumber = init.dialedNumber;
    this.callerNumber = inv.remoteIdentity.uri.user ?? "";
    this.callerName = inv.remoteIdentity.displayName !== "" ? inv.remoteIdentity.displayName : undefined;
    this.callManagerId = init.callManagerId;
    this.source = init.source;
    this.#remoteSdp = inv.body !== undefined && inv.request.getHeader("content-type")?.toLowerCase().startsWith("application/sdp") ? inv.body : undefined;
    this.#logger = init.logger.child({ callId: this.callId });
    this.onListenerError = (event, error) => this.#logger.error({ err: error, event }, "incoming call listener failed");
    inv.delegate = {
      onBye: (bye) => {
        this.#endReason ??= "remoteBye";
        void bye.accept().catch((e: unknown) => this.#logger.warn({ err: e }, "cannot answer BYE"));
      },
      onCancel: () => {
        this.#endReason ??= "cancelled";
      },
      onInfo: (info) => this.#onInfo(info),
    };
    inv.stateChange.addListener((s) => {
      if (s === SessionState.Established && this.#state === "offered") this.#state = "established";
      if (s === SessionState.Terminated) this.#end(this.#endReason ?? "failed");
    });
  }

  get state(): IncomingCallState {
    return this.#state;
  }

  get remoteSdp(): string | undefined {
    return this.#remoteSdp;
  }

  get localSdp(): string | undefined {
    return this.#localSdp;
  }

  remoteDescription(sdp: string): void {
    this.#remoteSdp = sdp;
  }

  header(name: string): string | undefined {
    return this.#invitation.request.getHeader(name);
  }

  headers(name: string): string[] {
    return this.#invitation.request.getHeaders(name);
  }

  async accept(localSdp: string): Promise<void> {
    if (this.#state !== "offered" || this.#invitation.state !== SessionState.Initial) {
      throw new CtiError(Errors.SIP_CALL_STATE, `cannot accept a call that is ${this.#state}`);
    }
    this.#localSdp = localSdp;
    try {
      await this.#invitation.accept();
    } catch (e) {
      throw new CtiError(Errors.SIP_CALL_STATE, `accept failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async reject(statusCode: number, reason?: string): Promise<void> {
    if (statusCode < 300 || statusCode > 699) throw new CtiError(Errors.BAD_REQUEST, `reject needs a 3xx-6xx status, not ${statusCode}`);
    if (this.#state !== "offered") throw new CtiError(Errors.SIP_CALL_STATE, `cannot reject a call that is ${this.#state}`);
    this.#endReason ??= "rejected";
    try {
      await this.#invitation.reject(reason !== undefined ? { statusCode, reasonPhrase: reason } : { statusCode });
    } catch (e) {
      throw new CtiError(Errors.SIP_CALL_STATE, `reject failed: ${(e as Error).message}`, { cause: e });
    }
  }

  hangup(): Promise<void> {
    this.#hangup ??= this.#doHangup();
    return this.#hangup;
  }

  async #doHangup(): Promise<void> {
    const inv = this.#invitation;
    try {
      if (inv.state === SessionState.Established) {
        this.#endReason ??= "localBye";
        // Resolves when the BYE is answered (SIP.js reports its own timeout as a 408), so a stopping stack
        // does not close its socket under the transaction.
        await new Promise<void>((resolve, reject) => {
          inv.bye({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(reject);
        });
      } else if (inv.state === SessionState.Initial) {
        this.#endReason ??= "rejected";
        await inv.reject({ statusCode: 480 });
      } else if (inv.state === SessionState.Establishing) {
        // Accepted, waiting for the ACK: SIP.js BYEs once it can.
        this.#endReason ??= "localBye";
        await inv.dispose();
      }
    } catch (e) {
      this.#logger.warn({ err: e }, "hangup failed");
    }
  }

  #onInfo(info: Info): void {
    const req = info.request;
    const digit = dtmfDigitOf(req.getHeader("content-type") ?? "", req.body ?? "");
    if (digit === undefined) {
      void info.reject({ statusCode: 415 }).catch(() => undefined);
      return;
    }
    void info.accept().catch((e: unknown) => this.#logger.warn({ err: e }, "cannot answer INFO"));
    this.safeEmit("dtmf", digit);
  }

  #end(reason: CallEndReason): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#logger.debug({ reason }, "call ended");
    this.safeEmit("ended", reason);
  }
}
