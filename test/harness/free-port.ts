// Free ports on 127.0.0.1, found by binding (port 0 or a probe) and releasing. The loopback is shared with other
// programs and concurrent tests, so nothing here assumes a fixed port. A port handed out by this process is not
// handed out again for a while, which removes races between two peers of the same test started back to back.
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const HOST = "127.0.0.1";
/** Ports handed out recently by this process: port -> time (ms) it was handed out. */
const recent = new Map<number, number>();
const RECENT_MS = 120_000;
/** Media ranges come from below Linux's ephemeral range (32768+) so outgoing connections do not collide. */
const RANGE_MIN = 20_000;
const RANGE_MAX = 32_000;

function remember(port: number): number {
  const now = Date.now();
  for (const [p, at] of recent) if (now - at > RECENT_MS) recent.delete(p);
  recent.set(port, now);
  return port;
}

function bindUdp(port: number): Promise<{ port: number; close(): Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket({ type: "udp4", reuseAddr: false });
    sock.once("error", () => {
      sock.close();
      resolve(undefined);
    });
    sock.bind(port, HOST, () => {
      const bound = sock.address().port;
      resolve({ port: bound, close: () => new Promise<void>((r) => sock.close(() => r())) });
    });
  });
}

function bindTcp(port: number): Promise<{ port: number; close(): Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ port, host: HOST, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === "object" && addr !== null ? addr.port : 0;
      resolve({ port: bound, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

/** A UDP port free on 127.0.0.1 right now. */
export async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const b = await bindUdp(0);
    if (!b) continue;
    await b.close();
    if (!recent.has(b.port)) return remember(b.port);
  }
  throw new Error("freeUdpPort: no free UDP port found");
}

/**
 * A port free for both UDP and TCP on 127.0.0.1 (SIP listeners use both). With `span` > 1, the next span-1
 * ports are free for both as well (baresip also listens for TLS on its SIP port + 1).
 */
export async function freeTcpUdpPort(span = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = await bindTcp(0);
    if (!first) continue;
    const held: Array<{ close(): Promise<void> }> = [first];
    let ok = first.port + span - 1 <= 65535;
    for (let p = first.port; ok && p < first.port + span; p++) {
      if (recent.has(p)) ok = false;
      const tcp = !ok || p === first.port ? undefined : await bindTcp(p);
      if (p !== first.port) {
        if (!tcp) ok = false;
        else held.push(tcp);
      }
      const udp = ok ? await bindUdp(p) : undefined;
      if (!udp) ok = false;
      else held.push(udp);
    }
    await Promise.all(held.map((h) => h.close()));
    if (!ok) continue;
    for (let p = first.port; p < first.port + span; p++) remember(p);
    return first.port;
  }
  throw new Error(`freeTcpUdpPort: no ${span} port(s) free for both TCP and UDP found`);
}

/**
 * `count` consecutive UDP ports free on 127.0.0.1, starting at an even port (RTP on even, RTCP on odd).
 * Returns the first port.
 */
export async function freePortRange(count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 4000) throw new RangeError(`freePortRange: bad count ${count}`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const span = RANGE_MAX - RANGE_MIN - count;
    const start = RANGE_MIN + 2 * Math.floor((Math.random() * span) / 2);
    let clash = false;
    for (let p = start; p < start + count; p++) if (recent.has(p)) clash = true;
    if (clash) continue;
    const held: Array<{ close(): Promise<void> }> = [];
    let ok = true;
    for (let p = start; p < start + count; p++) {
      const b = await bindUdp(p);
      if (!b) {
        ok = false;
        break;
      }
      held.push(b);
    }
    await Promise.all(held.map((b) => b.close()));
    if (!ok) continue;
    for (let p = start; p < start + count; p++) remember(p);
    return start;
  }
  throw new Error(`freePortRange: no ${count} consecutive free UDP ports found`);
}

/**
 * Whether some process listens on 127.0.0.1:port (UDP: a bound socket; TCP: state LISTEN), read from
 * /proc/net without touching the port, so probing never races the peer that is about to bind it.
 */
export function isListening(port: number, transport: "udp" | "tcp"): boolean {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const anyAddr = `00000000:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const table = readFileSync(`/proc/net/${transport}`, "utf8").split("\n").slice(1);
  for (const line of table) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (local !== want && local !== anyAddr) continue;
    if (transport === "udp" || cols[3] === "0A") return true;
  }
  return false;
}
