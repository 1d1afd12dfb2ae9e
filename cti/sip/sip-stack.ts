// The bridge's SIP endpoint: one SIP.js user agent over the project's transport, answering for any
// Request-URI user, placing calls through the configured call managers, with a keepalive link per call manager.
// SIP.js stays behind this class; the rest of the daemon sees IncomingCall / OutgoingCall objects and link
// events on the bus.
import { Core, SessionState, UserAgent, UserAgentState, type Invitation, type LogLevel, type Session } from "sip.js";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";
import { CallManagerLink, type LinkState } from "./call-manager-link.js";
import { CallSessionDescriptionHandler, type SdpSource } from "./call-sdh.js";
import { SipIncomingCall, type IncomingCall } from "./incoming-call.js";
import { SipOutgoingCall, type OutgoingCall, type OutgoingCallRequest } from "./outgoing-call.js";
import { PeerFilter } from "./peer-filter.js";
import { acceptAnyRequestUri, originalRequestUri } from "./request-uri-shim.js";
import type { ScannedMessage } from "./sip-message-scan.js";
import { SipTransport, type MessageSource, type SipTransportStats } from "./sip-transport.js";

export interface SipStackOptions {
  /** IPv4 address to listen on and to put in Via/Contact. */
  address: string;
  /** 0 picks a free port; read `port` after start(). */
  port: number;
  transports: ("udp" | "tcp")[];
  callManagers: CallManagerConfig[];
  /** Extra IPv4 addresses allowed to send requests. */
  trustedPeers: string[];
  logger: Logger;
  /** Receives callManager.linkUp / callManager.linkDown. */
  bus: EventBus;
}

export interface SipStackDelegate {
  onIncomingCall?(call: IncomingCall): void;
}

/** The user part of the bridge's own URI (From of its OPTIONS, Contact). */
export const OWN_USER = "ctibridge";
/** How long stop() waits for BYE/reject transactions before closing the sockets. */
const STOP_GRACE_MS = 2000;

export class SipStack {
  delegate: SipStackDelegate = {};
  readonly #options: SipStackOptions;
  readonly #logger: Logger;
  readonly #transport: SipTransport;
  readonly #links = new Map<string, CallManagerLink>();
  readonly #callManagerByHostPort = new Map<string, CallManagerConfig>();
  readonly #callManagerByHost = new Map<string, CallManagerConfig>();
  readonly #callManagerById = new Map<string, CallManagerConfig>();
  readonly #requestSources = new WeakMap<Core.IncomingRequestMessage, MessageSource>();
  readonly #callsBySession = new WeakMap<Session, SdpSource>();
  /** Calls in both directions that stop() must end. */
  readonly #liveCalls = new Set<SipIncomingCall | SipOutgoingCall>();
  #ua: UserAgent | undefined;
  /** The Contact the transport rewrites for TCP (set in start()). */
  #contact = "";
  #parserLogger: ReturnType<UserAgent["getLogger"]> | undefined;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: SipStackOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: "sip" });
    for (const cm of options.callManagers) {
      this.#callManagerById.set(cm.id, cm);
      this.#callManagerByHostPort.set(`${cm.host}:${cm.port}`, cm);
      if (!this.#callManagerByHost.has(cm.host)) this.#callManagerByHost.set(cm.host, cm);
    }
    this.#transport = new SipTransport({
      address: options.address,
      port: options.port,
      transports: options.transports,
      logger: this.#logger,
      peerFilter: new PeerFilter([...options.callManagers.map((cm) => cm.host), ...options.trustedPeers]),
      preferredTransport: (host, port) => this.#callManagerByHostPort.get(`${host}:${port}`)?.transport,
    });
  }

  /** The port SIP listens on (UDP and TCP); 0 before start(). */
  get port(): number {
    return this.#transport.port;
  }

  get stats(): SipTransportStats {
    return this.#transport.stats;
  }

  /**
   * INVITE transactions SIP.js holds, each with its session and parsed messages. Live and ringing calls only: the
   * patched SIP.js ends an accepted INVITE's transaction when its session ends instead of 32 s later (Timer L/M).
   */
  get inviteTransactions(): { server: number; client: number } {
    const core = this.#ua?.userAgentCore;
    if (!core) return { server: 0, client: 0 };
    let server = 0;
    let client = 0;
    for (const uas of core.userAgentServers.values()) if (uas instanceof Core.InviteUserAgentServer) server++;
    for (const uac of core.userAgentClients.values()) if (uac instanceof Core.InviteUserAgentClient) client++;
    return { server, client };
  }

  linkState(callManagerId: string): LinkState {
    const link = this.#links.get(callManagerId);
    if (!link) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, callManagerId);
    return link.state;
  }

  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "SIP stack stopped"));
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const { address, transports } = this.#options;
    await this.#transport.listen();
    const transport = this.#transport;
    const contactTransport = transports.includes("udp") ? "udp" : "tcp";
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${OWN_USER}@${address}`),
      contactName: OWN_USER,
      contactParams: { transport: contactTransport },
      viaHost: address,
      forceRport: true,
      userAgentString: "ctibridge",
      sendInitialProvisionalResponse: false,
      // SIP.js constructs its transport itself; hand it the one already listening.
      transportConstructor: function existingTransport() {
        return transport;
      } as unknown as new () => SipTransport,
      sessionDescriptionHandlerFactory: (session: Session) => {
        const call = this.#callsBySession.get(session);
        if (!call) throw new CtiError(Errors.SIP_CALL_STATE, "no call for this session");
        return new CallSessionDescriptionHandler(call);
      },
      logBuiltinEnabled: false,
      logLevel: "warn",
      logConnector: (level: LogLevel, category: string, _label: string | undefined, content: string) => {
        // SIP.js warns about every peer oddity; those are debug material here.
        if (level === "error") this.#logger.warn({ category }, content);
        else this.#logger.debug({ category }, content);
      },
      delegate: { onInvite: (invitation) => this.#onInvite(invitation) },
    });
    ua.contact.uri.port = transport.port;
    const udpContact = `<${ua.contact.uri.toString()}>`;
    transport.setContact(udpContact, udpContact.replace(`;transport=${contactTransport}`, ";transport=tcp"));
    this.#contact = udpContact;
    transport.onIncoming = (text, scan, source) => this.#receive(text, scan, source);
    this.#parserLogger = ua.getLogger("sip.Parser");
    this.#ua = ua;
    await ua.start();
    for (const cm of this.#options.callManagers) {
      const link = new CallManagerLink(cm, (target) => this.#probe(target), this.#options.bus, this.#logger);
      this.#links.set(cm.id, link);
      link.start();
    }
  }

  /**
   * Places a call: INVITE to `sip:<target>@<call manager>` from the listening socket. Throws CALL_MANAGER_UNKNOWN
   * for an unknown call manager, BAD_REQUEST for an unusable target, number or header, SIP_TRANSPORT when the
   * stack is not running. Events follow on the returned call.
   */
  call(request: OutgoingCallRequest): OutgoingCall {
    const callManager = this.#callManagerById.get(request.callManagerId);
    if (!callManager) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, request.callManagerId);
    const ua = this.#ua;
    if (this.#stopped) throw new CtiError(Errors.SIP_TRANSPORT, "SIP stack stopped");
    if (!ua || ua.state !== UserAgentState.Started) throw new CtiError(Errors.SIP_TRANSPORT, "SIP stack not started");
    const call = new SipOutgoingCall({
      request,
      callManager,
      userAgent: ua,
      bridgeAddress: this.#options.address,
      contact: this.#contact,
      logger: this.#logger,
    });
    this.#callsBySession.set(call.session, call);
    this.#liveCalls.add(call);
    call.once("ended", () => this.#liveCalls.delete(call));
    call.start();
    return call;
  }

  /** BYEs established calls, rejects offered ones, CANCELs ringing outgoing ones, stops the links and closes the sockets; idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    await this.#started?.catch(() => undefined);
    for (const link of this.#links.values()) link.stop();
    const calls = [...this.#liveCalls];
    if (calls.length > 0) {
      this.#logger.info({ calls: calls.length }, "ending calls before the SIP stack stops");
      const hungUp = Promise.all(calls.map((c) => c.hangup()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([hungUp, new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    }
    if (this.#ua && this.#ua.state === UserAgentState.Started) await this.#ua.stop().catch((e: unknown) => this.#logger.warn({ err: e }, "SIP user agent stop failed"));
    await this.#transport.close();
    this.#logger.info("SIP stack stopped");
  }

  /** A screened message from the transport: parse once, then hand it to the SIP.js core. */
  #receive(text: string, scan: ScannedMessage, source: MessageSource): void {
    const ua = this.#ua;
    if (!ua || !this.#parserLogger) return;
    try {
      let message: Core.IncomingRequestMessage | Core.IncomingResponseMessage | undefined;
      try {
        message = Core.Parser.parseMessage(text, this.#parserLogger);
      } catch {
        message = undefined;
      }
      if (!message) {
        this.#transport.countMalformed();
        if (!scan.isResponse) {
          this.#logger.warn({ source, method: scan.method }, "SIP request the parser rejects: 400");
          void this.#transport.replyStateless(scan, 400, "Bad Request", source).catch(() => undefined);
        }
        return;
      }
      if (message instanceof Core.IncomingRequestMessage) {
        if (ua.state !== UserAgentState.Started) return;
        const declared = Number(message.getHeader("content-length") ?? "0");
        if (Buffer.byteLength(message.body ?? "", "utf8") < declared) {
          this.#transport.countMalformed();
          void this.#transport.replyStateless(scan, 400, "Bad Request (body shorter than Content-Length)", source).catch(() => undefined);
          return;
        }
        this.#requestSources.set(message, source);
        acceptAnyRequestUri(message, OWN_USER);
        ua.userAgentCore.receiveIncomingRequestFromTransport(message);
      } else {
        ua.userAgentCore.receiveIncomingResponseFromTransport(message);
      }
    } catch (e) {
      this.#logger.error({ err: e, source }, "SIP message processing failed");
    }
  }

  #onInvite(invitation: Invitation): void {
    const source = this.#requestSources.get(invitation.request) ?? { address: "", port: 0, transport: "udp" as const };
    const callManager = this.#callManagerByHostPort.get(`${source.address}:${source.port}`) ?? this.#callManagerByHost.get(source.address);
    const call = new SipIncomingCall({
      invitation,
      dialedNumber: originalRequestUri(invitation.request)?.user ?? "",
      callManagerId: callManager?.id,
      source,
      logger: this.#logger,
    });
    this.#callsBySession.set(invitation, call);
    this.#liveCalls.add(call);
    call.once("ended", () => this.#liveCalls.delete(call));
    if (invitation.state !== SessionState.Initial) return;
    const onIncomingCall = this.delegate.onIncomingCall;
    if (!onIncomingCall || this.#stopped) {
      void call.reject(480, "Temporarily Unavailable").catch(() => undefined);
      return;
    }
    try {
      onIncomingCall.call(this.delegate, call);
    } catch (e) {
      this.#logger.error({ err: e, callId: call.callId }, "onIncomingCall failed; rejecting the call");
      void call.reject(500, "Server Internal Error").catch(() => undefined);
    }
  }

  /** One OPTIONS to a call manager, user-less like Asterisk's qualify; resolves with the peer's status code. */
  #probe(cm: CallManagerConfig): Promise<number> {
    return new Promise((resolve, reject) => {
      const ua = this.#ua;
      if (!ua) return reject(new CtiError(Errors.SIP_TRANSPORT, "SIP stack not started"));
      const target = UserAgent.makeURI(`sip:${cm.host}:${cm.port};transport=${cm.transport}`);
      if (!target) return reject(new CtiError(Errors.SIP_TRANSPORT, `bad call manager address ${cm.host}:${cm.port}`));
      const core = ua.userAgentCore;
      const request = core.makeOutgoingRequestMessage("OPTIONS", target, ua.configuration.uri, target, {});
      // SIP.js reports its own timeouts and transport errors as responses without headers.
      const settle = (response: Core.IncomingResponseMessage): void => {
        if (response.hasHeader("via")) resolve(response.statusCode ?? 0);
        else reject(new CtiError(Errors.SIP_TRANSPORT, `${response.statusCode ?? ""} ${response.reasonPhrase ?? ""}`.trim()));
      };
      core.request(request, {
        onAccept: (r) => settle(r.message),
        onReject: (r) => settle(r.message),
        onRedirect: (r) => settle(r.message),
        onProgress: (r) => settle(r.message),
      });
    });
  }
}
