// What the daemon did with each ACD call, read from a loopback capture of its SIP port (only packets into and out
// of the daemon): when each caller's INVITE arrived, when the daemon sent the INVITE that offers it to an agent
// (matched by the X-CTI-Call-Id header, which carries the caller's Call-ID), when each agent hung up, and which
// media ports the daemon put in its SDP (towards the caller in its 200 OK, towards the agent in its INVITE).
// From that: routing latency, how fast an agent who becomes ready gets the oldest waiting call, and the queue.
import { percentile } from "./bench-support.js";
import { readUdpDatagrams } from "./pcap-udp.js";

export interface CallerCall {
  callId: string;
  arrivedMs: number;
  /** The daemon's media port towards the caller (its 200 OK's SDP). */
  bridgePort?: number;
  offer?: AgentOffer;
}

export interface AgentOffer {
  atMs: number;
  agentCallId: string;
  callerCallId: string;
  extension: string;
  /** The daemon's media port towards the agent (its INVITE's SDP). */
  bridgePort?: number;
  answeredMs?: number;
  agentHungUpMs?: number;
}

export interface SipTimeline {
  /** Callers by Call-ID, in arrival order. */
  callers: Map<string, CallerCall>;
  /** First offers only (a re-offer after a failed one is counted in `reoffers`), in time order. */
  offers: AgentOffer[];
  reoffers: number;
  /** SIP datagrams that could not be read as SIP (should be 0). */
  unreadable: number;
}

interface SipMessage {
  method?: string;
  status?: number;
  requestUser?: string;
  headers: Map<string, string>;
  body: string;
}

const COMPACT: Record<string, string> = { i: "call-id", t: "to", f: "from", v: "via", m: "contact", l: "content-length", c: "content-type" };

function parseSip(payload: Buffer): SipMessage | undefined {
  const text = payload.toString("latin1");
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return undefined;
  const lines = text.slice(0, split).split("\r\n");
  const first = lines[0]!;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  const body = text.slice(split + 4);
  const status = /^SIP\/2\.0 (\d{3}) /.exec(first);
  if (status) return { status: Number(status[1]), headers, body };
  const request = /^([A-Z]+) sips?:(?:([^@;>\s]+)@)?\S+ SIP\/2\.0$/.exec(first);
  if (!request) return undefined;
  return { method: request[1]!, ...(request[2] !== undefined ? { requestUser: request[2] } : {}), headers, body };
}

const hasToTag = (m: SipMessage) => /;\s*tag=/i.test(m.headers.get("to") ?? "");
const cseqMethod = (m: SipMessage) => (m.headers.get("cseq") ?? "").split(/\s+/)[1];
function sdpPort(body: string): number | undefined {
  const m = /^m=audio (\d+) /m.exec(body);
  return m ? Number(m[1]) : undefined;
}

/** Reads the capture of the daemon's SIP port; `service` is the BVD the callers dial. */
export function readSipTimeline(file: string, daemonPort: number, service: string): SipTimeline {
  const callers = new Map<string, CallerCall>();
  const offersByCallId = new Map<string, AgentOffer>();
  const offers: AgentOffer[] = [];
  const offeredCallers = new Set<string>();
  let reoffers = 0;
  let unreadable = 0;
  for (const d of readUdpDatagrams(file)) {
    const into = d.dstPort === daemonPort;
    if (!into && d.srcPort !== daemonPort) continue;
    if (d.payload.length < 8) continue; // keep-alive CRLFs
    const m = parseSip(d.payload);
    if (!m) {
      unreadable++;
      continue;
    }
    const callId = m.headers.get("call-id");
    if (!callId) continue;
    if (into && m.method === "INVITE" && m.requestUser === service && !hasToTag(m)) {
      if (!callers.has(callId)) callers.set(callId, { callId, arrivedMs: d.timeMs });
    } else if (!into && m.method === "INVITE" && !hasToTag(m) && m.headers.has("x-cti-call-id")) {
      if (offersByCallId.has(callId)) continue; // retransmission
      const callerCallId = m.headers.get("x-cti-call-id")!;
      const port = sdpPort(m.body);
      const offer: AgentOffer = { atMs: d.timeMs, agentCallId: callId, callerCallId, extension: m.requestUser ?? "?", ...(port !== undefined ? { bridgePort: port } : {}) };
      offersByCallId.set(callId, offer);
      if (offeredCallers.has(callerCallId)) {
        reoffers++;
        continue;
      }
      offeredCallers.add(callerCallId);
      offers.push(offer);
      const caller = callers.get(callerCallId);
      if (caller) caller.offer = offer;
    } else if (!into && m.status === 200 && cseqMethod(m) === "INVITE") {
      const caller = callers.get(callId);
      const port = sdpPort(m.body);
      if (caller && caller.bridgePort === undefined && port !== undefined) caller.bridgePort = port;
    } else if (into && m.status === 200 && cseqMethod(m) === "INVITE") {
      const offer = offersByCallId.get(callId);
      if (offer && offer.answeredMs === undefined) offer.answeredMs = d.timeMs;
    } else if (into && m.method === "BYE") {
      const offer = offersByCallId.get(callId);
      if (offer && offer.agentHungUpMs === undefined) offer.agentHungUpMs = d.timeMs;
    }
  }
  return { callers, offers, reoffers, unreadable };
}

export interface RoutingReport {
  calls: number;
  /** Callers never offered to an agent. */
  notOffered: number;
  /** INVITE in → INVITE out (ms) for callers who found an idle agent on arrival, ascending. */
  routingMs: number[];
  /** Agent's BYE in → INVITE out offering that agent a call that was already waiting (ms), ascending. */
  readyToOfferMs: number[];
  /** Offers of a call other than the oldest one waiting at that moment. */
  notOldest: number;
  /** Arrival → offer for every offered caller (ms), ascending: the wait, queueing included. */
  waitMs: number[];
  /** The longest queue a caller found on arrival (callers arrived and not yet offered). */
  maxWaiting: number;
  /** The queue the last caller found (a queue that grows without bound ends high). */
  waitingAtLastArrival: number;
}

/** Routing and queue figures, with `agents` agents logged on and ready at the start. */
export function routingReport(timeline: SipTimeline, agents: number): RoutingReport {
  type Ev = { at: number; order: number; kind: "arrive"; call: CallerCall } | { at: number; order: number; kind: "offer" | "hangup"; offer: AgentOffer };
  const events: Ev[] = [];
  for (const call of timeline.callers.values()) events.push({ at: call.arrivedMs, order: 1, kind: "arrive", call });
  for (const offer of timeline.offers) {
    events.push({ at: offer.atMs, order: 2, kind: "offer", offer });
    if (offer.agentHungUpMs !== undefined) events.push({ at: offer.agentHungUpMs, order: 0, kind: "hangup", offer });
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);

  const waiting = new Map<string, CallerCall>(); // insertion order = arrival order
  const busy = new Set<string>(); // extensions with a call offered and not yet hung up
  const foundIdle = new Set<string>();
  const lastHangup = new Map<string, number>(); // extension → time of its last BYE
  const routingMs: number[] = [];
  const readyToOfferMs: number[] = [];
  const waitMs: number[] = [];
  let notOldest = 0;
  let maxWaiting = 0;
  let waitingAtLastArrival = 0;
  const lastArrival = Math.max(...[...timeline.callers.values()].map((c) => c.arrivedMs));
  for (const e of events) {
    if (e.kind === "arrive") {
      // The queue a caller finds on arrival (itself not counted: every caller is "waiting" while it is routed).
      if (waiting.size === 0 && busy.size < agents) foundIdle.add(e.call.callId);
      maxWaiting = Math.max(maxWaiting, waiting.size);
      if (e.at === lastArrival) waitingAtLastArrival = waiting.size;
      waiting.set(e.call.callId, e.call);
    } else if (e.kind === "offer") {
      const call = timeline.callers.get(e.offer.callerCallId);
      const oldest = waiting.keys().next().value;
      if (oldest !== undefined && oldest !== e.offer.callerCallId) notOldest++;
      waiting.delete(e.offer.callerCallId);
      busy.add(e.offer.extension);
      if (!call) continue;
      waitMs.push(e.at - call.arrivedMs);
      if (foundIdle.has(call.callId)) routingMs.push(e.at - call.arrivedMs);
      const hangup = lastHangup.get(e.offer.extension);
      if (hangup !== undefined && call.arrivedMs < hangup) readyToOfferMs.push(e.at - hangup);
      lastHangup.delete(e.offer.extension);
    } else {
      busy.delete(e.offer.extension);
      lastHangup.set(e.offer.extension, e.at);
    }
  }
  const asc = (a: number[]) => a.sort((x, y) => x - y);
  return {
    calls: timeline.callers.size,
    notOffered: [...timeline.callers.values()].filter((c) => !c.offer).length,
    routingMs: asc(routingMs),
    readyToOfferMs: asc(readyToOfferMs),
    notOldest,
    waitMs: asc(waitMs),
    maxWaiting,
    waitingAtLastArrival,
  };
}

/** "p50 / p95 / p99 / max" of an ascending sample in ms, with `digits` decimals; "–" when empty. */
export function spread(sorted: readonly number[], digits = 1): string {
  if (sorted.length === 0) return "–";
  return [50, 95, 99, 100].map((p) => percentile(sorted, p).toFixed(digits)).join(" / ");
}
