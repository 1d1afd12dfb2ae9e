// Reads the UDP payloads (and their capture times) out of a classic libpcap file, enough to replay SIPp's RTP
// pcaps at the bridge from a test without raw sockets.
import { readFileSync } from "node:fs";

export interface CapturedDatagram {
  /** Milliseconds since the first packet of the capture. */
  atMs: number;
  payload: Buffer;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;

export function readPcapUdp(path: string): CapturedDatagram[] {
  const file = readFileSync(path);
  const magic = file.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && file.readUInt32BE(0) !== 0xa1b2c3d4 && file.readUInt32BE(0) !== 0xa1b23c4d) {
    throw new Error(`${path}: not a libpcap file`);
  }
  const nanoseconds = (littleEndian ? magic : file.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number): number => (littleEndian ? file.readUInt32LE(o) : file.readUInt32BE(o));
  const linkType = u32(20);
  const datagrams: CapturedDatagram[] = [];
  let first: number | undefined;
  for (let o = 24; o + 16 <= file.length; ) {
    const at = u32(o) * 1000 + u32(o + 4) / (nanoseconds ? 1e6 : 1e3);
    const captured = u32(o + 8);
    const frame = file.subarray(o + 16, o + 16 + captured);
    o += 16 + captured;
    let ip = linkType === LINKTYPE_ETHERNET ? 14 : linkType === LINKTYPE_LINUX_SLL ? 16 : linkType === LINKTYPE_RAW ? 0 : -1;
    if (ip < 0) throw new Error(`${path}: link type ${linkType} not supported`);
    if (linkType === LINKTYPE_ETHERNET && frame.readUInt16BE(12) === 0x8100) ip += 4; // VLAN tag
    if (frame.length < ip + 28 || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue; // IPv4 UDP only
    const udp = ip + (frame[ip]! & 0x0f) * 4;
    const length = frame.readUInt16BE(udp + 4);
    first ??= at;
    datagrams.push({ atMs: at - first, payload: Buffer.from(frame.subarray(udp + 8, udp + Math.min(length, frame.length - udp))) });
  }
  return datagrams;
}
