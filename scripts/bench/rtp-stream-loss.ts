// Packet loss of bridged calls, from a loopback capture of the daemon's media port range. Every endpoint of the
// daemon sends ONE RTP stream whose sequence numbers continue across sources, and a relayed packet keeps its
// place in that sequence (media-endpoint.ts), so a packet lost anywhere between the sending phone and the
// daemon's send — the daemon's socket buffer, the relay itself — is a gap in the stream the daemon sends. Counted
// as RFC 3550 does: expected = highest − lowest extended sequence number + 1, lost = expected − received, per
// stream. The phones' own streams into the daemon are counted the same way, so a gap the sender made (SIPp) is
// not charged to the daemon. The capture sees a packet when it is sent on lo, before any receiving socket.
import { readUdpDatagrams } from "./pcap-udp.js";

export interface StreamCount {
  streams: number;
  received: number;
  expected: number;
  lost: number;
}

export interface RtpLossReport {
  /** Capture span (ms). */
  spanMs: number;
  /** Datagrams into / out of the daemon's media ports. */
  packetsIn: number;
  packetsOut: number;
  /** The daemon's streams towards callers and towards agents. */
  toCallers: StreamCount;
  toAgents: StreamCount;
  /** The phones' streams into the daemon (gaps here are the sender's). */
  fromPhones: StreamCount;
  /** Daemon streams whose port the SIP timeline did not know (should be 0). */
  unknownPorts: number;
}

class SequenceTracker {
  count = 0;
  #last = 0;
  #lowest = 0;
  #highest = 0;

  add(sequence: number): void {
    if (this.count === 0) {
      this.#last = this.#lowest = this.#highest = sequence;
    } else {
      const delta = (sequence - (this.#last & 0xffff) + 0x10000) & 0xffff;
      const extended = delta < 0x8000 ? this.#last + delta : this.#last - (0x10000 - delta);
      this.#last = extended;
      if (extended < this.#lowest) this.#lowest = extended;
      if (extended > this.#highest) this.#highest = extended;
    }
    this.count++;
  }

  get expected(): number {
    return this.count === 0 ? 0 : this.#highest - this.#lowest + 1;
  }
}

/**
 * `roleOf(port)` tells whether a daemon media port faces a caller or an agent (from the SIP timeline).
 * Packets shorter than an RTP header or not RTP version 2 are ignored.
 */
export function rtpLoss(file: string, mediaMin: number, mediaMax: number, roleOf: (daemonPort: number) => "caller" | "agent" | undefined): RtpLossReport {
  const outStreams = new Map<string, { role: "caller" | "agent" | undefined; seq: SequenceTracker }>();
  const inStreams = new Map<string, SequenceTracker>();
  let packetsIn = 0;
  let packetsOut = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const d of readUdpDatagrams(file)) {
    const out = d.srcPort >= mediaMin && d.srcPort <= mediaMax;
    const into = d.dstPort >= mediaMin && d.dstPort <= mediaMax;
    if (!out && !into) continue;
    const p = d.payload;
    if (p.length < 12 || p[0]! >> 6 !== 2) continue;
    first = Math.min(first, d.timeMs);
    last = Math.max(last, d.timeMs);
    const sequence = p.readUInt16BE(2);
    const key = `${d.srcPort}>${d.dstPort}/${p.readUInt32BE(8)}`;
    if (out) {
      packetsOut++;
      let s = outStreams.get(key);
      if (!s) outStreams.set(key, (s = { role: roleOf(d.srcPort), seq: new SequenceTracker() }));
      s.seq.add(sequence);
    } else {
      packetsIn++;
      let s = inStreams.get(key);
      if (!s) inStreams.set(key, (s = new SequenceTracker()));
      s.add(sequence);
    }
  }
  const total = (trackers: Iterable<SequenceTracker>): StreamCount => {
    const c: StreamCount = { streams: 0, received: 0, expected: 0, lost: 0 };
    for (const t of trackers) {
      c.streams++;
      c.received += t.count;
      c.expected += t.expected;
    }
    c.lost = c.expected - c.received;
    return c;
  };
  const outs = [...outStreams.values()];
  return {
    spanMs: last > first ? last - first : 0,
    packetsIn,
    packetsOut,
    toCallers: total(outs.filter((s) => s.role === "caller").map((s) => s.seq)),
    toAgents: total(outs.filter((s) => s.role === "agent").map((s) => s.seq)),
    fromPhones: total(inStreams.values()),
    unknownPorts: outs.filter((s) => s.role === undefined).length,
  };
}
