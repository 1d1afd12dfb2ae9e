// Writes RFC 4733 (RFC 2833) telephone-event pcaps for SIPp's play_pcap_audio. SIPp sends pcap payloads verbatim
// (measured: it keeps the capture's RTP sequence numbers and timestamps), and the pcaps it ships all reuse one
// timestamp per digit, so "00" would reach a receiver as one event and sequence numbers would jump backwards.
// A caller therefore gets its own pcaps: one SSRC, sequence numbers that keep increasing, and a timestamp per
// digit that follows the time the digit is played.
import { writeFileSync } from "node:fs";

export const RTP_EVENT_CODES: Readonly<Record<string, number>> = {
  "0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9,
  "*": 10, "#": 11, A: 12, B: 13, C: 14, D: 15,
};

export interface RtpEventPcapOptions {
  /** Event code 0-15 (RTP_EVENT_CODES). */
  event: number;
  ssrc: number;
  /** Sequence number of the first packet. */
  seq: number;
  /** RTP timestamp of the event (same in all its packets). */
  timestamp: number;
  /** Packets before the end packets, 20 ms apart (default 7, so ~140 ms like SIPp's shipped pcaps). */
  packets?: number;
  payloadType?: number;
  /** Volume in -dBm0, 0-63 (default 10). */
  volume?: number;
}

const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160; // 8 kHz clock

/** Write one event's pcap; returns the sequence number the next event should start at. */
export function writeRtpEventPcap(path: string, o: RtpEventPcapOptions): number {
  if (!Number.isInteger(o.event) || o.event < 0 || o.event > 15) throw new RangeError(`event ${o.event}`);
  const n = o.packets ?? 7;
  const frames: Buffer[] = [];
  let seq = o.seq & 0xffff;
  for (let i = 0; i < n + 3; i++) {
    const end = i >= n; // the end packet is sent three times with one sequence number (RFC 4733 §2.5.1.4)
    const duration = Math.min(i, n) * SAMPLES_PER_PACKET + SAMPLES_PER_PACKET;
    const rtp = Buffer.alloc(16);
    rtp[0] = 0x80;
    rtp[1] = (i === 0 ? 0x80 : 0) | ((o.payloadType ?? 101) & 0x7f);
    rtp.writeUInt16BE(seq, 2);
    rtp.writeUInt32BE(o.timestamp >>> 0, 4);
    rtp.writeUInt32BE(o.ssrc >>> 0, 8);
    rtp[12] = o.event;
    rtp[13] = (end ? 0x80 : 0) | ((o.volume ?? 10) & 0x3f);
    rtp.writeUInt16BE(duration & 0xffff, 14);
    if (i < n) seq = (seq + 1) & 0xffff;
    frames.push(ipv4UdpFrame(rtp, Math.min(i, n) * PACKET_MS * 1000 + (end ? (i - n) * 50 : 0)));
  }
  writeFileSync(path, pcapFile(frames));
  return (seq + 1) & 0xffff;
}

function pcapFile(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  return Buffer.concat([header, ...frames]);
}

/** A pcap record: Ethernet + IPv4 + UDP around the payload. SIPp replaces addresses and ports when it sends. */
function ipv4UdpFrame(payload: Buffer, offsetUs: number): Buffer {
  const eth = Buffer.from("00000000000200000000000108 00".replace(/ /g, ""), "hex");
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(10000, 0);
  udp.writeUInt16BE(10000, 2);
  udp.writeUInt16BE(8 + payload.length, 4); // checksum 0: none (allowed over IPv4)
  const frame = Buffer.concat([eth, ip, udp, payload]);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(1_700_000_000 + Math.floor(offsetUs / 1e6), 0);
  rec.writeUInt32LE(offsetUs % 1e6, 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  return Buffer.concat([rec, frame]);
}

function ipChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
