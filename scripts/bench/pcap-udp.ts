// Reads the UDP datagrams of a libpcap file (dumpcap -P): time, ports and payload (as far as the snap length
// kept it). Written here rather than run through tshark because the media captures hold millions of packets and
// only four header fields are needed. IPv4 only (the benchmarks run on 127.0.0.1); fragments are skipped.
import { readFileSync } from "node:fs";

export interface UdpDatagram {
  /** Capture time in ms since the epoch (µs precision). */
  timeMs: number;
  srcPort: number;
  dstPort: number;
  /** The captured part of the UDP payload (a view into the file buffer). */
  payload: Buffer;
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/** Offset of the IPv4 header in a frame, or -1 when the frame carries something else. */
function ipOffset(linkType: number, frame: Buffer, at: number, length: number): number {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return length >= 14 && frame.readUInt16BE(at + 12) === 0x0800 ? 14 : -1;
    case LINKTYPE_LINUX_SLL:
      return length >= 16 && frame.readUInt16BE(at + 14) === 0x0800 ? 16 : -1;
    case LINKTYPE_LINUX_SLL2:
      return length >= 20 && frame.readUInt16BE(at) === 0x0800 ? 20 : -1;
    case LINKTYPE_NULL:
      return length >= 4 ? 4 : -1;
    case LINKTYPE_RAW:
      return 0;
    default:
      throw new Error(`pcap link type ${linkType} is not supported`);
  }
}

export function* readUdpDatagrams(file: string): Generator<UdpDatagram> {
  const data = readFileSync(file);
  if (data.length < 24) return; // dumpcap stopped before writing its header: nothing captured
  const magic = data.readUInt32LE(0);
  let little: boolean;
  let nanos: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    little = true;
    nanos = magic === 0xa1b23c4d;
  } else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    little = false;
    nanos = magic === 0x4d3cb2a1;
  } else {
    throw new Error(`${file}: not a libpcap file (pcapng? capture with dumpcap -P)`);
  }
  const u32 = (at: number) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const linkType = u32(20) & 0xffff;
  let at = 24;
  while (at + 16 <= data.length) {
    const seconds = u32(at);
    const fraction = u32(at + 4);
    const captured = u32(at + 8);
    const frame = at + 16;
    at = frame + captured;
    if (at > data.length) break; // a record cut short by the end of the file
    const ip = ipOffset(linkType, data, frame, captured);
    if (ip < 0) continue;
    const ipStart = frame + ip;
    if (captured < ip + 20 || data[ipStart]! >> 4 !== 4 || data[ipStart + 9] !== 17) continue; // IPv4 + UDP
    if ((data.readUInt16BE(ipStart + 6) & 0x3fff) !== 0) continue; // a fragment
    const udp = ipStart + (data[ipStart]! & 0x0f) * 4;
    if (udp + 8 > at) continue;
    const udpLength = data.readUInt16BE(udp + 4);
    yield {
      timeMs: seconds * 1000 + (nanos ? fraction / 1e6 : fraction / 1e3),
      srcPort: data.readUInt16BE(udp),
      dstPort: data.readUInt16BE(udp + 2),
      payload: data.subarray(udp + 8, Math.min(at, udp + udpLength)),
    };
  }
}
