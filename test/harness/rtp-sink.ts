// A plain UDP socket on 127.0.0.1 that stands in for someone's RTP port: it records packets and decodes RFC 4733
// telephone-events, one digit per (SSRC, timestamp) as a receiver must (retransmitted end packets are one event).
import { createSocket, type Socket } from "node:dgram";
import type { TeardownContext } from "./teardown-context.js";

const DIGITS = "0123456789*#ABCD";

export interface RtpEvent {
  readonly ssrc: number;
  readonly timestamp: number;
  readonly digit: string;
  /** Whether an end packet was seen. */
  ended: boolean;
  /** Packets carrying this event (including repeated end packets). */
  packets: number;
}

export interface RtpSink {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** All RTP packets received (any payload type). */
  packetCount(): number;
  /** Distinct telephone-events received, in arrival order. */
  events(): readonly RtpEvent[];
  /** Digits of the events received so far, e.g. "1001#". */
  digits(): string;
  waitForDigits(count: number, timeoutMs?: number): Promise<string>;
  /** Payload bytes of every packet with this payload type received so far. */
  payloads(payloadType: number): readonly Buffer[];
  /**
   * Sends `count` 20 ms G.711 packets (160 bytes of `fill`) from this socket to 127.0.0.1:`port`, like a phone
   * talking; resolves when the last was sent.
   */
  talk(port: number, o: { payloadType: number; fill: number; count: number }): Promise<void>;
  close(): Promise<void>;
}

export interface RtpSinkOptions {
  /** telephone-event payload type (default 101). */
  payloadType?: number;
  /** Bind this port instead of a free one. */
  port?: number;
  t?: TeardownContext;
}

export async function startRtpSink(o: RtpSinkOptions = {}): Promise<RtpSink> {
  const pt = o.payloadType ?? 101;
  const sock: Socket = createSocket("udp4");
  let packets = 0;
  const events: RtpEvent[] = [];
  const byKey = new Map<string, RtpEvent>();
  const received: Buffer[] = [];
  sock.on("message", (msg) => {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    packets++;
    received.push(msg);
    const cc = msg[0]! & 0x0f;
    const off = 12 + 4 * cc;
    if ((msg[1]! & 0x7f) !== pt || msg.length < off + 4) return;
    const ssrc = msg.readUInt32BE(8);
    const timestamp = msg.readUInt32BE(4);
    const key = `${ssrc}/${timestamp}`;
    let ev = byKey.get(key);
    if (!ev) {
      ev = { ssrc, timestamp, digit: DIGITS[msg[off]!] ?? "?", ended: false, packets: 0 };
      byKey.set(key, ev);
      events.push(ev);
    }
    ev.packets++;
    if (msg[off + 1]! & 0x80) ev.ended = true;
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  let closed = false;
  const close = () =>
    new Promise<void>((r) => {
      if (closed) return r();
      closed = true;
      sock.close(() => r());
    });
  o.t?.teardown(close);
  const digits = () => events.map((e) => e.digit).join("");
  return {
    host: "127.0.0.1",
    port: sock.address().port,
    packetCount: () => packets,
    events: () => events,
    digits,
    payloads: (payloadType) => received.filter((m) => (m[1]! & 0x7f) === payloadType).map((m) => m.subarray(12 + 4 * (m[0]! & 0x0f))),
    async talk(port, t) {
      const ssrc = Math.floor(Math.random() * 2 ** 32);
      for (let i = 0; i < t.count && !closed; i++) {
        const packet = Buffer.alloc(12 + 160, t.fill);
        packet[0] = 0x80;
        packet[1] = (i === 0 ? 0x80 : 0) | t.payloadType;
        packet.writeUInt16BE(i & 0xffff, 2);
        packet.writeUInt32BE((i * 160) >>> 0, 4);
        packet.writeUInt32BE(ssrc >>> 0, 8);
        sock.send(packet, port, "127.0.0.1");
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async waitForDigits(count, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (events.filter((e) => e.ended).length < count) {
        if (Date.now() > deadline) throw new Error(`RTP sink ${sock.address().port}: ${count} digits expected, got "${digits()}"`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return digits();
    },
    close,
  };
}
