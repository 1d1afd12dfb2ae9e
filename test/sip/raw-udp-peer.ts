// A bare UDP socket that sends hand-written SIP and collects what comes back, for cases SIPp cannot express
// (malformed requests, ignoring a response on purpose).
import dgram from "node:dgram";

export class RawUdpPeer {
  readonly received: string[] = [];
  /** Called for every datagram, after it is recorded. */
  onMessage: ((text: string) => void) | undefined;
  readonly #socket = dgram.createSocket("udp4");

  static async open(address = "127.0.0.1"): Promise<RawUdpPeer> {
    const peer = new RawUdpPeer();
    await new Promise<void>((resolve) => peer.#socket.bind(0, address, () => resolve()));
    peer.#socket.on("message", (buf, rinfo) => {
      const text = buf.toString("utf8");
      peer.received.push(text);
      peer.lastSource = { address: rinfo.address, port: rinfo.port };
      peer.onMessage?.(text);
    });
    return peer;
  }

  lastSource: { address: string; port: number } | undefined;

  get port(): number {
    return this.#socket.address().port;
  }

  send(text: string, port: number, host = "127.0.0.1"): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.send(Buffer.from(text), port, host, (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.#socket.close();
  }
}

export function invite(o: { port: number; callId: string; branch: string; omit?: string[] }): string {
  const headers = [
    `Via: SIP/2.0/UDP 127.0.0.1:${o.port};branch=${o.branch};rport`,
    "Max-Forwards: 70",
    `From: <sip:1001@127.0.0.1:${o.port}>;tag=raw${o.branch}`,
    "To: <sip:2000@127.0.0.1>",
    `Call-ID: ${o.callId}`,
    "CSeq: 1 INVITE",
    `Contact: <sip:1001@127.0.0.1:${o.port}>`,
    "Content-Length: 0",
  ].filter((h) => !(o.omit ?? []).some((name) => h.startsWith(`${name}:`)));
  return `INVITE sip:2000@127.0.0.1 SIP/2.0\r\n${headers.join("\r\n")}\r\n\r\n`;
}

export function ackFor(o: { port: number; callId: string; branch: string; toTag: string }): string {
  return (
    `ACK sip:2000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${o.port};branch=${o.branch};rport\r\nMax-Forwards: 70\r\n` +
    `From: <sip:1001@127.0.0.1:${o.port}>;tag=raw${o.branch}\r\nTo: <sip:2000@127.0.0.1>;tag=${o.toTag}\r\nCall-ID: ${o.callId}\r\n` +
    "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
  );
}

/** A response to `request` copying Via, From, To (plus a tag), Call-ID and CSeq. */
export function responseTo(request: string, status: string): string {
  const pick = (name: string): string[] => request.split("\r\n").filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const to = pick("To")[0] ?? "To: <sip:x@127.0.0.1>";
  return (
    `SIP/2.0 ${status}\r\n${[...pick("Via"), ...pick("From"), to.includes(";tag=") ? to : `${to};tag=peer1`, ...pick("Call-ID"), ...pick("CSeq")].join("\r\n")}` +
    "\r\nContent-Length: 0\r\n\r\n"
  );
}
