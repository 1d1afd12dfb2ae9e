// A one-shot SIP OPTIONS over UDP from 127.0.0.1: the readiness probe for Kamailio and any SIP peer.
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

export interface SipPingOptions {
  host?: string;
  port: number;
  /** Request-URI user part; none means "the server itself" (Kamailio's readiness route). */
  user?: string;
  timeoutMs?: number;
}

/** Send OPTIONS and resolve with the final status code, or undefined if nothing answered in time. */
export function sipPing(opts: SipPingOptions): Promise<number | undefined> {
  const host = opts.host ?? "127.0.0.1";
  const timeoutMs = opts.timeoutMs ?? 200;
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    let done = false;
    const finish = (status: number | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(status);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on("error", () => finish(undefined));
    sock.on("message", (msg) => {
      const m = /^SIP\/2\.0 (\d{3})/.exec(msg.toString("latin1"));
      if (m && Number(m[1]) >= 200) finish(Number(m[1]));
    });
    sock.bind(0, "127.0.0.1", () => {
      const local = sock.address().port;
      const id = randomBytes(8).toString("hex");
      const uri = `sip:${opts.user ? `${opts.user}@` : ""}${host}:${opts.port}`;
      const req =
        `OPTIONS ${uri} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${id};rport\r\n` +
        `Max-Forwards: 70\r\n` +
        `From: <sip:probe@127.0.0.1:${local}>;tag=${id}\r\n` +
        `To: <${uri}>\r\n` +
        `Call-ID: ${id}@127.0.0.1\r\n` +
        `CSeq: 1 OPTIONS\r\n` +
        `Content-Length: 0\r\n\r\n`;
      sock.send(req, opts.port, host);
    });
  });
}
