// A SipStack on a free loopback port with one call manager entry, and the bus events it publishes.
import type { CallManagerConfig } from "../../cti/config/schema.js";
import { EventBus, type CallManagerLinkEvent } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { SipStack } from "../../cti/sip/index.js";

export interface StackFixture {
  stack: SipStack;
  bus: EventBus;
  linkEvents: { kind: "up" | "down"; event: CallManagerLinkEvent }[];
}

export function callManager(over: Partial<CallManagerConfig> = {}): CallManagerConfig {
  return {
    id: "cm1", name: "Test call manager", site: "main", type: "TAS", host: "127.0.0.1", port: 5060, transport: "udp",
    keepalive: { interval: 60_000, timeout: 2000 }, ...over,
  };
}

export async function startStack(opts: { callManagers?: CallManagerConfig[]; trustedPeers?: string[]; transports?: ("udp" | "tcp")[] } = {}): Promise<StackFixture> {
  const bus = new EventBus();
  const linkEvents: StackFixture["linkEvents"] = [];
  bus.on("callManager.linkUp", (event) => linkEvents.push({ kind: "up", event }));
  bus.on("callManager.linkDown", (event) => linkEvents.push({ kind: "down", event }));
  const stack = new SipStack({
    address: "127.0.0.1",
    port: 0,
    transports: opts.transports ?? ["udp", "tcp"],
    callManagers: opts.callManagers ?? [callManager()],
    trustedPeers: opts.trustedPeers ?? [],
    logger: silentLogger(),
    bus,
  });
  await stack.start();
  return { stack, bus, linkEvents };
}

export const LOCAL_SDP =
  "v=0\r\no=ctibridge 4242 1 IN IP4 127.0.0.1\r\ns=ctibridge\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
  "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n";

export function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}
