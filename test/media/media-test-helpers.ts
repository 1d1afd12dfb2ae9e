// Shared by the media tests: free port ranges on the shared loopback, SDP offers, RTP packets and a plain
// node:dgram peer standing in for a phone.
import { createSocket, type Socket } from "node:dgram";
import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { silentLogger } from "../../cti/log.js";
import { MediaServer } from "../../ivr/media/media-server.js";

export const LOOPBACK = "127.0.0.1";

function bindUdp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, LOOPBACK, () => resolve(socket));
  });
}

/** A range of `count` even ports (and the odd ones between) that nobody holds right now. */
export async function freeEvenPortRange(count: number): Promise<{ portMin: number; portMax: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const portMin = randomInt(20000, 60000) & ~1;
    const portMax = portMin + 2 * (count - 1);
    const held: Socket[] = [];
    try {
      for (let port = portMin; port <= portMax; port += 2) held.push(await bindUdp(port));
      return { portMin, portMax };
    } catch {
      // taken by someone else: try another range
    } finally {
      for (const socket of held) socket.close();
    }
  }
  throw new Error("no free port range found");
}

export async function newServer(ports = 8, extra: Partial<ConstructorParameters<typeof MediaServer>[0]> = {}): Promise<MediaServer> {
  const range = await freeEvenPortRange(ports);
  return new MediaServer({ address: LOOPBACK, ...range, logger: silentLogger(), ...extra });
}

export function audioOffer(port: number, options: { payloads?: string; rtpmaps?: string[]; direction?: string; address?: string; version?: number } = {}): string {
  const payloads = options.payloads ?? "0 8 101";
  const rtpmaps = options.rtpmaps ?? ["a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"];
  return [
    "v=0",
    `o=phone 1234 ${options.version ?? 1} IN IP4 ${LOOPBACK}`,
    "s=-",
    `c=IN IP4 ${options.address ?? LOOPBACK}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP ${payloads}`,
    ...rtpmaps,
    "a=ptime:20",
    `a=${options.direction ?? "sendrecv"}`,
    "",
  ].join("\r\n");
}

export interface ReceivedPacket {
  at: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** A UDP peer on the loopback that records every RTP packet it receives. */
export class RtpPeer {
  readonly packets: ReceivedPacket[] = [];
  private constructor(readonly socket: Socket) {
    socket.on("message", (m) => {
      this.packets.push({
        at: performance.now(),
        marker: (m[1]! & 0x80) !== 0,
        payloadType: m[1]! & 0x7f,
        sequence: m.readUInt16BE(2),
        timestamp: m.readUInt32BE(4),
        ssrc: m.readUInt32BE(8),
        payload: Buffer.from(m.subarray(12)),
      });
    });
  }

  static async create(): Promise<RtpPeer> {
    return new RtpPeer(await bindUdp(0));
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(packet, port, LOOPBACK, (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.socket.close();
  }
}

/** An RFC 4733 telephone-event packet. */
export function dtmfPacket(o: { event: number; end: boolean; duration: number; sequence: number; timestamp: number; marker?: boolean; payloadType?: number }): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = (o.marker ? 0x80 : 0) | (o.payloadType ?? 101);
  b.writeUInt16BE(o.sequence, 2);
  b.writeUInt32BE(o.timestamp >>> 0, 4);
  b.writeUInt32BE(0x11223344, 8);
  b[12] = o.event;
  b[13] = (o.end ? 0x80 : 0) | 10;
  b.writeUInt16BE(o.duration, 14);
  return b;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting for condition");
    await sleep(5);
  }
}

/** An RTP packet as a phone sends it; `payload` is the bytes, or one byte value repeated 160 times (20 ms of G.711). */
export function rtpPacket(o: {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload?: Uint8Array | number;
  marker?: boolean;
  csrcs?: number[];
  /** A header extension of this many 32-bit words. */
  extensionWords?: number;
  /** Padding bytes at the end (the last one holds the count). */
  padding?: number;
}): Buffer {
  const payload = typeof o.payload === "number" || o.payload === undefined ? Buffer.alloc(160, o.payload ?? 0xff) : Buffer.from(o.payload);
  const csrcs = o.csrcs ?? [];
  const extension = o.extensionWords === undefined ? 0 : 4 + 4 * o.extensionWords;
  const padding = o.padding ?? 0;
  const b = Buffer.alloc(12 + 4 * csrcs.length + extension + payload.length + padding, 0);
  b[0] = 0x80 | (padding ? 0x20 : 0) | (o.extensionWords !== undefined ? 0x10 : 0) | csrcs.length;
  b[1] = (o.marker ? 0x80 : 0) | o.payloadType;
  b.writeUInt16BE(o.sequence & 0xffff, 2);
  b.writeUInt32BE(o.timestamp >>> 0, 4);
  b.writeUInt32BE(o.ssrc >>> 0, 8);
  let at = 12;
  for (const c of csrcs) at = b.writeUInt32BE(c >>> 0, at);
  if (o.extensionWords !== undefined) {
    at = b.writeUInt16BE(0xbede, at);
    at = b.writeUInt16BE(o.extensionWords, at);
    at += 4 * o.extensionWords;
  }
  payload.copy(b, at);
  if (padding) b[b.length - 1] = padding;
  return b;
}

/** The answer a phone gives to the bridge's offer (same shape as an offer: one audio stream). */
export const phoneAnswer = audioOffer;
