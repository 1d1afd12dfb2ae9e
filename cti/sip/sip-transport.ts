// The project's SIP.js Transport: one address and port for UDP and TCP. SIP.js hands over finished message text
// with no destination, so this routes it (requests: top Route, else Request-URI; responses: top Via
// received/rport), fills in what SIP.js lacks for UDP (retransmission timers, udp-reliability.ts) and screens
// what arrives (garbage dropped, malformed requests 400, unknown peers 403) before SIP.js parses anything.
// Everything is sent from the listening UDP socket: Asterisk identifies a trunk by source address and port.
import dgram from "node:dgram";
import { EmitterImpl, TransportState, type Emitter, type Transport } from "sip.js";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import type { PeerFilter } from "./peer-filter.js";
import {
  requestDefect,
  scanMessage,
  stampTopVia,
  uriTarget,
  viaResponseTarget,
  type ScannedMessage,
} from "./sip-message-scan.js";
import { statelessResponse } from "./stateless-response.js";
import { TcpConnectionPool } from "./tcp-connection-pool.js";
import { UdpReliability } from "./udp-reliability.js";

export type SipTransportProtocol = "udp" | "tcp";

export interface MessageSource {
  address: string;
  port: number;
  transport: SipTransportProtocol;
}

export interface SipTransportOptions {
  /** IPv4 address to listen on (also the Via sent-by host). */
  address: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  transports: SipTransportProtocol[];
  logger: Logger;
  peerFilter: PeerFilter;
  /** Transport to use towards host:port when the URI has no transport parameter (the call manager's, if any). */
  preferredTransport?(host: string, port: number): SipTransportProtocol | undefined;
}

export interface SipTransportStats {
  retransmissions: number;
  malformed: number;
  forbidden: number;
}

const DEFAULT_SIP_PORT = 5060;
const BIND_ATTEMPTS = 20;

export class SipTransport implements Transport {
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  /** Set by SIP.js; used only when no `onIncoming` receiver is installed. */
  onMessage: ((message: string) => void) | undefined;
  /** The stack's receiver: screened message text (top Via stamped) with its scan and source. */
  onIncoming: ((text: string, scan: ScannedMessage, source: MessageSource) => void) | undefined;

  readonly protocol = "UDP";
  readonly #stateEmitter = new EmitterImpl<TransportState>();
  #state: TransportState = TransportState.Disconnected;
  #udp: dgram.Socket | undefined;
  #tcp: TcpConnectionPool | undefined;
  #reliability: UdpReliability | undefined;
  #port = 0;
  #closed = false;
  readonly #inflight = new Set<Promise<void>>();
  #malformed = 0;
  #forbidden = 0;
  #udpContact = "";
  #tcpContact = "";
  readonly #logger: Logger;

  constructor(private readonly options: SipTransportOptions) {
    this.#logger = options.logger;
  }

  get state(): TransportState {
    return this.#state;
  }

  get stateChange(): Emitter<TransportState> {
    return this.#stateEmitter;
  }

  get port(): number {
    return this.#port;
  }

  get stats(): SipTransportStats {
    return { retransmissions: this.#reliability?.retransmissions ?? 0, malformed: this.#malformed, forbidden: this.#forbidden };
  }

  isConnected(): boolean {
    return this.#state === TransportState.Connected;
  }

  /** Binds the sockets (before SIP.js exists, so the port is known for its Contact). */
  async listen(): Promise<void> {
    if (this.#udp || this.#tcp) return;
    const { address, transports } = this.options;
    const wantUdp = transports.includes("udp");
    const wantTcp = transports.includes("tcp");
    if (!wantUdp && !wantTcp) throw new CtiError(Errors.SIP_TRANSPORT, "no transport configured");
    let lastError: unknown;
    // With port 0 the UDP port is picked first; TCP may find it taken, then both retry with a new one.
    for (let attempt = 0; attempt < (this.options.port === 0 ? BIND_ATTEMPTS : 1); attempt++) {
      let udp: dgram.Socket | undefined;
      let tcp: TcpConnectionPool | undefined;
      try {
        let port = this.options.port;
        if (wantUdp) {
          udp = await this.#bindUdp(address, port);
          port = udp.address().port;
        }
        if (wantTcp) {
          tcp = new TcpConnectionPool(
            {
              message: (text, source) => this.#receive(text, { ...source, transport: "tcp" }),
              malformed: (reason, source) => {
                this.#malformed++;
                this.#logger.warn({ source, reason }, "SIP TCP stream cannot be framed; connection closed");
              },
            },
            this.#logger,
          );
          port = await tcp.listen(address, port);
        }
        this.#udp = udp;
        this.#tcp = tcp;
        this.#port = port;
        if (udp) {
          this.#reliability = new UdpReliability((data, dest) => this.#udp?.send(data, dest.port, dest.host));
          udp.on("message", (buf, rinfo) => this.#receive(buf.toString("utf8"), { address: rinfo.address, port: rinfo.port, transport: "udp" }));
          udp.on("error", (e) => this.#logger.error({ err: e }, "SIP UDP socket error"));
        }
        this.#logger.info({ address, port, transports }, "SIP transport listening");
        return;
      } catch (e) {
        lastError = e;
        udp?.close();
        await tcp?.close();
      }
    }
    throw new CtiError(Errors.SIP_TRANSPORT, `cannot listen on ${address}:${this.options.port}`, { cause: lastError });
  }

  /** The Contact SIP.js writes (`<sip:user@address:port;transport=udp>`), rewritten for messages sent over TCP. */
  setContact(udpContact: string, tcpContact: string): void {
    this.#udpContact = udpContact;
    this.#tcpContact = tcpContact;
  }

  async connect(): Promise<void> {
    if (this.#closed) throw new CtiError(Errors.SIP_TRANSPORT, "transport closed");
    await this.listen();
    if (this.#state !== TransportState.Connected) this.#transition(TransportState.Connected);
  }

  async disconnect(): Promise<void> {
    await this.close();
  }

  async dispose(): Promise<void> {
    await this.close();
  }

  /** Stops timers and closes the sockets; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reliability?.close();
    await Promise.allSettled([...this.#inflight]);
    const udp = this.#udp;
    this.#udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    await this.#tcp?.close();
    this.#tcp = undefined;
    if (this.#state !== TransportState.Disconnected) this.#transition(TransportState.Disconnected);
  }

  /** SIP.js sends a message: route it. */
  send(message: string): Promise<void> {
    try {
      if (this.#closed) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "transport closed"));
      const scan = scanMessage(message);
      if (!scan) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "refusing to send an unparseable message"));
      return scan.isResponse ? this.#sendResponse(scan) : this.#sendRequest(scan);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A response the transport makes itself (400, 403, …) back to where `request` came from. */
  replyStateless(request: ScannedMessage, statusCode: number, reason: string, source: MessageSource): Promise<void> {
    if (request.method === "ACK") return Promise.resolve(); // an ACK is never answered
    const text = statelessResponse(request, statusCode, reason, source);
    return this.#write(text, source.transport, source.address, source.port, scanMessage(text));
  }

  #sendRequest(scan: ScannedMessage): Promise<void> {
    const target = uriTarget(scan.topRoute ?? scan.requestUri ?? "");
    if (!target) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, `cannot route to ${scan.topRoute ?? scan.requestUri}`));
    const port = target.port ?? DEFAULT_SIP_PORT;
    const transport = this.#chooseTransport(target.transport, target.host, port);
    // SIP.js writes "SIP/2.0/UDP <viaHost>" without a port (it drops responses whose Via has one): add ours here
    // and take it out again when responses come back.
    let text = scan.text;
    if (scan.topVia !== undefined) {
      const start = scan.topViaEnd - scan.topVia.length;
      const ownVia = `SIP/2.0/UDP ${this.options.address};`;
      if (text.startsWith(ownVia, start)) {
        text = `${text.slice(0, start)}SIP/2.0/${transport.toUpperCase()} ${this.options.address}:${this.#port};${text.slice(start + ownVia.length)}`;
      }
    }
    if (transport === "tcp") text = this.#tcpContactIn(text);
    // The rewrites touch neither branch, methods nor status, which is all the UDP timers read: no second scan.
    return this.#write(text, transport, target.host, port, scan);
  }

  #sendResponse(scan: ScannedMessage): Promise<void> {
    const target = scan.topVia !== undefined ? viaResponseTarget(scan.topVia) : undefined;
    if (!target) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "response without a usable Via"));
    const transport: SipTransportProtocol = target.transport === "tcp" && this.#tcp ? "tcp" : this.#udp ? "udp" : "tcp";
    const text = transport === "tcp" ? this.#tcpContactIn(scan.text) : scan.text;
    return this.#write(text, transport, target.host, target.port ?? DEFAULT_SIP_PORT, scan);
  }

  #tcpContactIn(text: string): string {
    return this.#udpContact !== "" && this.#udpContact !== this.#tcpContact ? text.replace(this.#udpContact, this.#tcpContact) : text;
  }

  #chooseTransport(uriTransport: string | undefined, host: string, port: number): SipTransportProtocol {
    let wanted: SipTransportProtocol | undefined =
      uriTransport === "tcp" || uriTransport === "udp" ? uriTransport : this.options.preferredTransport?.(host, port);
    if (wanted === undefined && this.#tcp?.has(host, port)) wanted = "tcp";
    if (wanted === "tcp" && this.#tcp) return "tcp";
    return this.#udp ? "udp" : "tcp";
  }

  #write(text: string, transport: SipTransportProtocol, host: string, port: number, scan: ScannedMessage | undefined): Promise<void> {
    if (transport === "tcp") {
      if (!this.#tcp) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "TCP is not enabled"));
      return this.#tcp.send(host, port, text);
    }
    const udp = this.#udp;
    if (!udp) return Promise.reject(new CtiError(Errors.SIP_TRANSPORT, "UDP is not enabled"));
    const data = Buffer.from(text, "utf8");
    if (scan) this.#reliability?.sent(scan, data, { host, port });
    const sending = new Promise<void>((resolve, reject) =>
      udp.send(data, port, host, (err) => (err ? reject(new CtiError(Errors.SIP_TRANSPORT, err.message, { cause: err })) : resolve())),
    );
    // close() lets these finish: a datagram handed to a socket that closes before it is written is lost.
    this.#inflight.add(sending);
    const done = (): void => void this.#inflight.delete(sending);
    sending.then(done, done);
    return sending;
  }

  /** Everything received goes through here; nothing thrown leaves it. */
  #receive(text: string, source: MessageSource): void {
    try {
      const scan = scanMessage(text);
      if (!scan) {
        // CRLF keepalives over UDP are not messages and not garbage.
        if (text.trim() !== "") {
          this.#malformed++;
          this.#logger.debug({ source }, "unparseable SIP datagram dropped");
        }
        return;
      }
      if (scan.isResponse) {
        if (scan.topVia === undefined || scan.branch === undefined || scan.cseqMethod === undefined || scan.callId === undefined) {
          this.#malformed++;
          this.#logger.debug({ source }, "malformed SIP response dropped");
          return;
        }
        if (source.transport === "udp" && this.#reliability?.received(scan)) return;
        this.#deliver(this.#withoutOwnViaPort(scan), scan, source);
        return;
      }
      if (scan.topVia === undefined) {
        this.#malformed++;
        this.#logger.debug({ source }, "SIP request without Via dropped (cannot be answered)");
        return;
      }
      if (!this.options.peerFilter.isAllowed(source.address)) {
        this.#forbidden++;
        const unlogged = this.options.peerFilter.noteRejected(source.address);
        if (unlogged !== undefined) {
          this.#logger.warn({ source, method: scan.method, suppressedSinceLastLog: unlogged }, "SIP request from an address that is not a call manager or trusted peer: 403");
        }
        void this.replyStateless(scan, 403, "Forbidden", source).catch(() => undefined);
        return;
      }
      const defect = requestDefect(scan);
      if (defect !== undefined) {
        this.#malformed++;
        this.#logger.warn({ source, method: scan.method, defect }, "malformed SIP request: 400");
        void this.replyStateless(scan, 400, `Bad Request (${defect})`, source).catch(() => undefined);
        return;
      }
      if (source.transport === "udp" && this.#reliability?.received(scan)) return;
      this.#deliver(stampTopVia(scan, source.address, source.port), scan, source);
    } catch (e) {
      this.#malformed++;
      this.#logger.error({ err: e, source }, "SIP message handling failed");
    }
  }

  /** Counts a message SIP.js could not parse although the scan accepted it (see SipStack). */
  countMalformed(): void {
    this.#malformed++;
  }

  #deliver(text: string, scan: ScannedMessage, source: MessageSource): void {
    if (this.onIncoming) this.onIncoming(text, scan, source);
    else this.onMessage?.(text);
  }

  #withoutOwnViaPort(scan: ScannedMessage): string {
    if (scan.topVia === undefined) return scan.text;
    const start = scan.topViaEnd - scan.topVia.length;
    const own = ` ${this.options.address}:${this.#port};`;
    const at = scan.text.indexOf(own, start);
    if (at < 0 || at > scan.topViaEnd) return scan.text;
    return `${scan.text.slice(0, at)} ${this.options.address};${scan.text.slice(at + own.length)}`;
  }

  #bindUdp(address: string, port: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      socket.once("error", reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off("error", reject);
        resolve(socket);
      });
    });
  }

  #transition(state: TransportState): void {
    const old = this.#state;
    this.#state = state;
    this.#stateEmitter.emit(state);
    if (state === TransportState.Connected) this.onConnect?.();
    if (old === TransportState.Connected && state !== TransportState.Connected) this.onDisconnect?.();
  }
}
