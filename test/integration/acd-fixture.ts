// Helpers for ACD tests against the real daemon: a config with two service groups (Sales for everyone, Support for
// 1001), agents' phones registered at Kamailio (SIPp), API logons, and a recorder of bus events with times.
import { registeredPhone, type RegisteredPhone, type SippProcess } from "../harness/sipp.js";
import type { RtpSink } from "../harness/rtp-sink.js";
import { startDaemonFixture, eventually, type DaemonFixture } from "./daemon-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";
import type { TeardownContext } from "../harness/teardown-context.js";

export const SALES = `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
  - { id: support-line, serviceGroup: Support, priority: 0 }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 2s
    music: music-on-hold
  - id: Support
    agents: ["1001"]
    ringTime: 2s
`;
export const SALES_BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }
  - { number: 3001, kind: serviceAccess, serviceAccess: support-line }`;

export type Recorded = { event: string; at: number; data: Record<string, unknown> };

export async function acdFixture(t: TeardownContext, config = SALES, bvds = SALES_BVDS): Promise<DaemonFixture & { events: Recorded[] }> {
  const f = await startDaemonFixture({ t, config, bvds });
  const events: Recorded[] = [];
  for (const name of ["call.queued", "call.delivered", "call.established", "call.offerFailed", "call.cleared", "call.abandoned", "call.overflowed", "agent.stateChanged"] as const) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return Object.assign(f, { events });
}

export async function agentPhone(f: DaemonFixture, t: TeardownContext, extension: string, o: { answer?: "auto" | "none" | "busy"; ringMs?: number; hangupAfterMs?: number; sink?: RtpSink; payloads?: (0 | 8)[] } = {}): Promise<RegisteredPhone> {
  return registeredPhone({
    proxyPort: f.kamailio.port,
    user: extension,
    answer: o.answer ?? "auto",
    ...(o.ringMs !== undefined ? { ringMs: o.ringMs } : {}),
    ...(o.hangupAfterMs !== undefined ? { hangupAfterMs: o.hangupAfterMs } : {}),
    ...(o.sink ? { sdpMediaPort: o.sink.port } : {}),
    ...(o.payloads ? { sdpPayloads: o.payloads } : {}),
    t,
  });
}

export async function logOn(f: DaemonFixture, logonId: string, extension: string): Promise<void> {
  await f.addUser(logonId, "6172839");
  const response = await fetch(`${f.httpUrl}/agents/${logonId}/logon`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ extension }),
  });
  if (response.status !== 200) throw new Error(`logon ${logonId}: ${response.status} ${await response.text()}`);
}

export const agentState = (f: DaemonFixture, logonId: string) => f.daemon.agents.get(logonId)?.state;
export const names = (events: Recorded[]) => events.filter((e) => e.event.startsWith("call.")).map((e) => e.event);

/** The media port in an SDP body (the first m=audio line). */
export function sdpPort(text: string): number {
  const m = /^m=audio (\d+) /m.exec(text);
  if (!m) throw new Error(`no m=audio in:\n${text}`);
  return Number(m[1]);
}

/** The bridge's RTP port towards the caller: the SDP of the 200 OK the caller received. */
export async function bridgePortTowardsCaller(caller: SippProcess): Promise<number> {
  const ok = await caller.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK to the caller");
  return sdpPort(ok.text);
}

export const allPortsFree = (f: DaemonFixture) => eventually(() => (f.daemon.media.portsFree === f.daemon.media.portsTotal ? true : undefined), 5000, "every media port back in the pool");

