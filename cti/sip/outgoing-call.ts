// One INVITE dialog the bridge places (it is the UAC): an offer to an agent's extension, or any number, through a
// configured call manager. Wraps a SIP.js Inviter so SIP.js stays inside cti/sip/.
//
//   calling ──180/183──► ringing ──200 (ACK sent)──► established ──BYE (either side)──► ended
//      │                    │                                                            ▲
//      ├──200 (ACK sent)────┼──► established                                             │
//      └────────────────────┴── 3xx-6xx / timeout / transport error / hangup() (CANCEL) ─┘
//
// A 200 that crosses our CANCEL is ACKed and BYEd at once by SIP.js (Inviter.isCanceled), so a cancelled call
// never lingers. All SDP goes through CallSessionDescriptionHandler: re-INVITEs from the phone (hold, refresh) are
// answered with the same offer and o= version + 1.
import { Inviter, SessionState, URI, type Core, type Info, type Referral, type UserAgent } from "sip.js";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import { TypedEmitter } from "../events/typed-emitter.js";
import type { Logger } from "../log.js";
import type { SdpSource } from "./call-sdh.js";
import { dtmfDigitOf } from "./incoming-call.js";
import { TIMER_B } from "./timers.js";
import { SipIncomingRefer, type IncomingRefer } from "./incoming-refer.js";

export interface OutgoingCallRequest {
  /** A configured call manager: its host, port and transport carry the INVITE. */
  callManagerId: string;
  /** Request-URI user: the agent's extension (or any number). */
  target: string;
  /** The caller's identity: From user and display name, and P-Asserted-Identity. */
  from: { number: string; name?: string };
  /** The bridge's SDP offer (built by the media layer). */
  sdpOffer: string;
  /** Extra INVITE headers, e.g. "X-CTI-Call-Id": the original caller's Call-ID, associated data. */
  headers?: Record<string, string>;
}

export type OutgoingCallState = "calling" | "ringing" | "established" | "ended";
export type OutgoingCallEnd = "remoteBye" | "localBye" | "cancelled" | "rejected" | "failed";

export interface OutgoingCall {
  readonly callId: string;
  readonly target: string;
  readonly callManagerId: string;
  readonly state: OutgoingCallState;
  /** The answer: from the 200 OK, or from a 183's SDP before that (RFC 3261 13.2.1: the first one counts). */
  readonly remoteSdp: string | undefined;
  /** The final status when the INVITE failed: 486, 603, 480, 408 (also SIP.js's own timeout), 503 (transport), 487. */
  readonly finalStatus: number | undefined;
  /** 180/183: the first provisional response other than 100. */
  on(event: "ringing", listener: (status: number) => void): this;
  /** 200 OK with SDP, ACK sent. */
  on(event: "answered", listener: (sdpAnswer: string) => void): this;
  /** Once, whatever ended the call; `status` is the INVITE's final status when there was one. */
  on(event: "ended", listener: (reason: OutgoingCallEnd, status?: number) => void): this;
  /** SIP INFO digits from the phone (application/dtmf-relay, application/dtmf). */
  on(event: "dtmf", listener: (digit: string) => void): this;
  /**
   * A REFER from the phone in this dialog (the agent transfers the other party). The listener must accept() or
   * reject() it; without a listener (or outside an established call) the REFER gets 603. The bridge never places
   * the referred call by itself.
   */
  on(event: "transferRequested", listener: (refer: IncomingRefer) => void): this;
  off(event: "ringing", listener: (status: number) => void): this;
  off(event: "answered", listener: (sdpAnswer: string) => void): this;
  off(event: "ended", listener: (reason: OutgoingCallEnd, status?: number) => void): this;
  off(event: "dtmf", listener: (digit: string) => void): this;
  off(event: "transferRequested", listener: (refer: IncomingRefer) => void): this;
  /**
   * CANCEL while calling/ringing (a 200 crossing the CANCEL is ACKed, then BYEd), BYE when established; resolves
   * when the call has ended. Idempotent.
   */
  hangup(): Promise<void>;
}

export type OutgoingCallEvents = {
  ringing: [status: number];
  answered: [sdpAnswer: string];
  ended: [reason: OutgoingCallEnd, status?: number];
  dtmf: [digit: string];
  transferRequested: [refer: IncomingRefer];
};

export interface OutgoingCallInit {
  request: OutgoingCallRequest;
  callManager: CallManagerConfig;
  userAgent: UserAgent;
  /** The bridge's IP address: host of From and P-Asserted-Identity. */
  bridgeAddress: string;
  /** The Contact the stack's transport knows (`<sip:user@address:port;transport=udp>`), rewritten for TCP there. */
  contact: string;
  logger: Logger;
}

/** What the bridge handles inside an outgoing call's dialog (Asterisk sends UPDATE only when it is listed). */
export const OUTGOING_CALL_ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER";

const USER_PART = /^[0-9A-Za-z+*#._-]{1,64}$/;
const HEADER_NAME = /^[A-Za-z0-9!%'*+.^_`|~-]+$/;
// Headers the stack writes itself, and session timers the bridge never claims (notes/asterisk-interop.md 4).
const RESERVED_HEADERS = new Set([
  "via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m", "max-forwards", "route", "record-route",
  "content-type", "c", "content-length", "l", "allow", "supported", "k", "require", "p-asserted-identity",
  "session-expires", "x", "min-se",
]);

/** A quoted-string display name (RFC 3261 25.1): backslash and quote escaped, control characters dropped. */
function quotedDisplayName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, "").replace(/[\\"]/g, (c) => `\\${c}`);
}

/** The request as SIP.js needs it: throws BAD_REQUEST for anything that would produce a broken INVITE. */
function checkedRequest(r: OutgoingCallRequest): string[] {
  if (!USER_PART.test(r.target)) throw new CtiError(Errors.BAD_REQUEST, `target ${JSON.stringify(r.target)}: digits, letters, + * # . _ - only`);
  if (!USER_PART.test(r.from.number)) throw new CtiError(Errors.BAD_REQUEST, `from number ${JSON.stringify(r.from.number)}: digits, letters, + * # . _ - only`);
  if (r.sdpOffer.trim() === "") throw new CtiError(Errors.BAD_REQUEST, "empty SDP offer");
  const lines: string[] = [];
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new CtiError(Errors.BAD_REQUEST, `header name ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new CtiError(Errors.BAD_REQUEST, `header ${name} is set by the SIP stack`);
    if (/[\r\n\0]/.test(value)) throw new CtiError(Errors.BAD_REQUEST, `header ${name}: line breaks are not allowed in a value`);
    lines.push(`${name}: ${value.trim()}`);
  }
  return lines;
}

export class SipOutgoingCall extends TypedEmitter<OutgoingCallEvents> implements OutgoingCall, SdpSource {
  readonly callId: string;
  readonly target: string;
  readonly callManagerId: string;
  readonly localSdp: string;
  #state: OutgoingCallState = "calling";
  #remoteSdp: string | undefined;
  #finalStatus: number | undefined;
  #endReason: OutgoingCallEnd | undefined;
  #hangup: Promise<void> | undefined;
  #cancelGuard: NodeJS.Timeout | undefined;
  readonly #inviter: Inviter;
  readonly #logger: Logger;
  readonly #contact: string;

  constructor(init: OutgoingCallInit) {
    super();
    const { request, callManager: cm, bridgeAddress } = init;
    const extraHeaders = checkedRequest(request);
    this.target = request.target;
    this.callManagerId = cm.id;
    this.localSdp = request.sdpOffer;
    const targetUri = new URI("sip", request.target, cm.host, cm.port, { transport: cm.transport });
    const fromUri = new URI("sip", request.from.number, bridgeAddress);
    const name = request.from.name !== undefined ? quotedDisplayName(request.from.name) : "";
    extraHeaders.unshift(`P-Asserted-Identity: ${name !== "" ? `"${name}" ` : ""}<${fromUri.toString()}>`);
    this.#inviter = new Inviter(init.userAgent, targetUri, {
      params: { fromUri, ...(name !== "" ? { fromDisplayName: name } : {}) },
      extraHeaders,
      delegate: {
        onBye: (bye) => {
          this.#endReason ??= "remoteBye";
          void bye.accept().catch((e: unknown) => this.#logger.warn({ err: e }, "cannot answer BYE"));
        },
        onInfo: (info) => this.#onInfo(info),
        // Never follow a REFER by ourselves (SIP.js would place a call): the application moves the caller.
        onRefer: (referral) => this.#onRefer(referral),
        onMessage: (message) => void message.reject(METHOD_NOT_ALLOWED).catch(() => undefined),
        onNotify: (notification) => void notification.reject(METHOD_NOT_ALLOWED).catch(() => undefined),
      },
    });
    // SIP.js writes its own Allow (MESSAGE, NOTIFY, REFER too) and a Contact with ";ob" (RFC 5626, which the
    // bridge does not do, and which hides the Contact from the transport's TCP rewrite): state what is true.
    const headers = this.#inviter.request.extraHeaders;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      if (/^contact:/i.test(h)) headers[i] = `Contact: ${init.contact}`;
      else if (/^allow:/i.test(h)) headers[i] = `Allow: ${OUTGOING_CALL_ALLOW}`;
    }
    this.#inviter._contact = init.contact;
    this.#contact = init.contact;
    this.callId = this.#inviter.request.callId;
    this.#logger = init.logger.child({ callId: this.callId });
    this.onListenerError = (event, error) => this.#logger.error({ err: error, event }, "outgoing call listener failed");
    this.#inviter.stateChange.addListener(this.#onSessionState);
  }

  /** The SIP.js session, for the stack's SessionDescriptionHandler factory. */
  get session(): Inviter {
    return this.#inviter;
  }

  get state(): OutgoingCallState {
    return this.#state;
  }

  get remoteSdp(): string | undefined {
    return this.#remoteSdp;
  }

  get finalStatus(): number | undefined {
    return this.#finalStatus;
  }

  /** SdpSource: the answer (initial) or a re-INVITE's offer from the phone. */
  remoteDescription(sdp: string): void {
    this.#remoteSdp = sdp;
  }

  /** Sends the INVITE (the stack calls this once the session is registered for its SDP handler). */
  start(): void {
    this.#inviter
      .invite({
        requestDelegate: {
          onProgress: (r) => this.#onProgress(r.message),
          onReject: (r) => this.#onFinal(r.message),
          onRedirect: (r) => this.#onFinal(r.message),
        },
      })
      .catch((e: unknown) => {
        // Cancelled before the INVITE left, or no offer: SIP.js has terminated the session already.
        this.#logger.debug({ err: e }, "INVITE not sent");
      });
  }

  hangup(): Promise<void> {
    this.#hangup ??= this.#doHangup();
    return this.#hangup;
  }

  async #doHangup(): Promise<void> {
    if (this.#state === "ended") return;
    const ended = new Promise<void>((resolve) => this.once("ended", () => resolve()));
    const inv = this.#inviter;
    try {
      if (inv.state === SessionState.Established) {
        this.#endReason ??= "localBye";
        await inv.bye();
      } else if (inv.state === SessionState.Initial || inv.state === SessionState.Establishing) {
        this.#endReason ??= "cancelled";
        // RFC 3261 9.1: no final response 64*T1 after the CANCEL → the INVITE counts as cancelled. SIP.js has no
        // such timer once a provisional response arrived, so without this a dead peer would leave the call open.
        this.#cancelGuard = setTimeout(this.#abandonCancelled, TIMER_B);
        this.#cancelGuard.unref();
        await inv.cancel();
      }
    } catch (e) {
      this.#logger.warn({ err: e }, "hangup failed");
    }
    await ended;
  }

  readonly #abandonCancelled = (): void => {
    if (this.#state === "ended") return;
    this.#logger.warn("no final response to the cancelled INVITE; giving it up");
    this.#end();
    void this.#inviter.dispose().catch(() => undefined);
  };

  #onProgress(response: Core.IncomingResponseMessage): void {
    const status = response.statusCode ?? 0;
    if (this.#remoteSdp === undefined && response.body && isSdp(response.getHeader("content-type"))) this.#remoteSdp = response.body;
    if (this.#state !== "calling") return;
    this.#transition("ringing");
    this.safeEmit("ringing", status);
  }

  /** 3xx-6xx, or SIP.js's own 408 (timeout) / 503 (transport error), which carry no headers. */
  #onFinal(response: Core.IncomingResponseMessage): void {
    this.#finalStatus = response.statusCode;
    this.#endReason ??= response.hasHeader("via") ? "rejected" : "failed";
  }

  readonly #onSessionState = (s: SessionState): void => {
    if (s === SessionState.Established) {
      if (this.#state !== "calling" && this.#state !== "ringing") return;
      this.#transition("established");
      this.safeEmit("answered", this.#remoteSdp ?? "");
    } else if (s === SessionState.Terminated) {
      // SIP.js terminates the session before it hands the final response to our request delegate: read the
      // status first.
      queueMicrotask(this.#end);
    }
  };

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

  #onRefer(referral: Referral): void {
    if (this.listenerCount("transferRequested") === 0 || this.#state !== "established") {
      // Nobody takes transfers for this call (an agent-made call, say): declined, the conversation goes on.
      void referral.reject({ statusCode: 603, reasonPhrase: "Declined" }).catch(() => undefined);
      return;
    }
    const refer = new SipIncomingRefer({
      referral,
      notify: (options, delegate) => {
        const dialog = this.#inviter.dialog;
        if (!dialog) throw new Error("the dialog has ended");
        dialog.notify(delegate, options);
      },
      contact: this.#contact,
      logger: this.#logger,
    });
    this.#logger.info({ referTo: refer.referTo }, "REFER from the phone");
    this.safeEmit("transferRequested", refer);
  }

  /** The one place the state changes; every legal move is listed. */
  #transition(next: OutgoingCallState): void {
    const from = this.#state;
    const legal =
      (from === "calling" && next !== "calling") ||
      (from === "ringing" && (next === "established" || next === "ended")) ||
      (from === "established" && next === "ended");
    if (!legal) throw new CtiError(Errors.SIP_CALL_STATE, `outgoing call cannot go from ${from} to ${next}`);
    this.#state = next;
    this.#logger.debug({ from, to: next }, "outgoing call state");
  }

  readonly #end = (): void => {
    if (this.#state === "ended") return;
    clearTimeout(this.#cancelGuard);
    const reason = this.#endReason ?? "failed";
    this.#transition("ended");
    this.#logger.debug({ reason, status: this.#finalStatus }, "outgoing call ended");
    this.safeEmit("ended", reason, this.#finalStatus);
  };
}

const METHOD_NOT_ALLOWED = { statusCode: 405, extraHeaders: [`Allow: ${OUTGOING_CALL_ALLOW}`] };

function isSdp(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]!.trim().toLowerCase() === "application/sdp";
}
