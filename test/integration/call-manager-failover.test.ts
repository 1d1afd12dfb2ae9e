// Phone agent failover between call managers, end to end: the real daemon with two call managers in one site
// (Kamailio "kam" and "kam2", keepalive every 1 s, 1 s timeout). Kamailio "kam" is stopped while agents are logged on
// through it — one of them talking to a caller — and the agents move to "kam2" with their extension and state; the
// call goes on, and new calls reach the agents through kam2. With no other call manager up, the agents wait and
// move at the first retry after one comes up (system.failoverRetry).
import test from "ava";
import { startCall, registeredPhone, optionsResponder, type SippProcess } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { freeTcpUdpPort } from "../harness/free-port.js";
import { startDaemonFixture, eventually, type DaemonFixture } from "./daemon-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";
import type { AgentView } from "../../cti/api/open-interface.js";

const SALES = `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 5s
`;
const SALES_BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }`;
/** keepalive.interval + keepalive.timeout of the fixture's call managers. */
const DETECTION_MS = 2000;
const RETRY = "1s";
const RETRY_MS = 1000;

type Recorded = { event: string; at: number; data: Record<string, unknown> };

function record(f: DaemonFixture): Recorded[] {
  const events: Recorded[] = [];
  for (const name of ["callManager.linkDown", "callManager.failover", "agent.logon", "agent.logoff", "call.delivered", "call.cleared"] as const) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return events;
}

async function links(f: DaemonFixture, want: Record<string, string>): Promise<void> {
  await eventually(async () => {
    const h = await f.getJson<{ callManagers: { id: string; state: string }[] }>("/health");
    return h.body.callManagers.every((c) => want[c.id] === undefined || want[c.id] === c.state) ? true : undefined;
  }, 8000, `links ${JSON.stringify(want)}`);
}

async function logon(f: DaemonFixture, logonId: string, extension: string, callManagerId: string, ready: boolean): Promise<void> {
  await f.addUser(logonId, "6172839");
  const user = (await f.daemon.store.users.get(-1, logonId))!;
  await f.daemon.phoneAgents.logon(user, extension, callManagerId, "api", ready);
}

/** call manager config id of each agent's restore row. */
async function restoreRows(f: DaemonFixture): Promise<Record<string, string | undefined>> {
  const byRow = new Map((await f.daemon.store.callManagers.list()).map((c) => [c.id, c.configId]));
  const result: Record<string, string | undefined> = {};
  for (const row of await f.daemon.store.phoneAgentLogons.list()) result[(await f.daemon.store.users.getById(row.agentId))!.logonId] = byRow.get(row.callManagerId);
  return result;
}

function sdpPort(text: string): number {
  const m = /^m=audio (\d+) /m.exec(text);
  if (!m) throw new Error(`no m=audio in:\n${text}`);
  return Number(m[1]);
}

async function bridgePortTowardsCaller(caller: SippProcess): Promise<number> {
  const ok = await caller.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK to the caller");
  return sdpPort(ok.text);
}

test("agents at a stopped Kamailio move to the other one of the site within keepalive interval + timeout; a call goes on", async (t) => {
  const f = await startDaemonFixture({ t, secondCallManager: { kamailio: true }, system: `  failoverRetry: ${RETRY}`, config: SALES, bvds: SALES_BVDS });
  const kam2 = f.kamailio2!;
  await links(f, { kam: "up", kam2: "up" });
  const callerSink = await startRtpSink({ t });
  const talkerSink = await startRtpSink({ t });
  // 4102's phone is registered at kam, 4101's already at kam2 (a phone re-registers at its backup in the field).
  const talkerPhone = await registeredPhone({ proxyPort: f.kamailio.port, user: "4102", answer: "auto", sdpMediaPort: talkerSink.port, t });
  const readyPhone = await registeredPhone({ proxyPort: kam2.port, user: "4101", answer: "auto", t });
  await logon(f, "1002", "4102", "kam", true);
  await logon(f, "1001", "4101", "kam", false);
  await logon(f, "1003", "4103", "kam", true);
  await f.daemon.phoneAgents.setNotReady("1003", "lunch");

  // 1002, the only ready agent, takes a call through kam.
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port, hangup: "remote", byeTimeoutMs: 90_000, t });
  let callerDone = false;
  void caller.done.then(() => (callerDone = true));
  const invite = await talkerPhone.waitForInvite(1);
  await eventually(() => (f.daemon.agents.get("1002")?.state === "talking" ? true : undefined), 8000, "1002 talking");
  const events = record(f);

  const stoppedAt = performance.now();
  await f.kamailio.stop();
  const failover = await eventually(() => events.find((e) => e.event === "callManager.failover"), DETECTION_MS + 4000, "callManager.failover");
  const tookMs = failover.at - stoppedAt;
  t.log(`agents moved ${tookMs.toFixed(0)} ms after Kamailio stopped (keepalive interval + timeout = ${DETECTION_MS} ms)`);
  t.true(tookMs <= DETECTION_MS + 1500, `moved within keepalive interval + timeout + a little (${tookMs.toFixed(0)} ms)`);
  t.like(failover.data, { callManagerId: "kam", name: "Test Kamailio", site: "main", toCallManagerId: "kam2" });
  const down = events.find((e) => e.event === "callManager.linkDown")!;
  t.is(failover.data.reason, down.data.reason, "the failover carries the reason the link went down");
  t.true(down.at <= failover.at);

  const agents = (await f.getJson<AgentView[]>("/agents")).body;
  t.deepEqual(agents.map((a) => `${a.logonId}@${a.extension}/${a.callManager}:${a.state}`), [
    "1001@4101/kam2:idleNotReady",
    "1002@4102/kam2:talking",
    "1003@4103/kam2:idleNotReady",
  ]);
  t.is(agents.find((a) => a.logonId === "1003")?.notReadyReason, "lunch");
  t.deepEqual(await restoreRows(f), { "1001": "kam2", "1002": "kam2", "1003": "kam2" });
  t.deepEqual(events.filter((e) => e.event.startsWith("agent.")), [], "a move is not a logoff and logon");
  t.is(f.logLines().filter((l) => l.msg === "phone agent moved to another call manager").length, 3);
  t.like(f.logLines().find((l) => l.msg === "phone agents failed over to another call manager"), { callManagerId: "kam", moved: { kam2: 3 }, left: 0 });

  // The call through the stopped Kamailio goes on: nobody hung up, and audio still flows both ways through the bridge.
  const calls = (await f.getJson<{ state: string; logonId?: string }[]>("/calls")).body;
  t.like(calls, [{ state: "talking", logonId: "1002" }]);
  t.false(callerDone, "the bridge did not hang up on the caller");
  t.deepEqual(events.filter((e) => e.event === "call.cleared"), []);
  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x11, count: 30 }),
    talkerSink.talk(sdpPort(invite.text), { payloadType: 0, fill: 0x22, count: 30 }),
  ]);
  await eventually(() => (talkerSink.payloads(0).filter((p) => p.every((b) => b === 0x11)).length >= 25 ? true : undefined), 3000, "caller audio at the agent");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((b) => b === 0x22)).length >= 25 ? true : undefined), 3000, "agent audio at the caller");

  // New calls reach the moved agents through kam2.
  const ready = await fetch(`${f.httpUrl}/agents/1001/ready`, { method: "POST" });
  t.is(ready.status, 200);
  const second = await startCall({ proxyPort: kam2.port, dialed: "3000", from: "5552", hangup: "local", holdAfterMs: 500, t });
  const secondInvite = await readyPhone.waitForInvite(1);
  t.regex(secondInvite.text, /^From: .*<sip:5552@/m);
  t.like(events.find((e) => e.event === "call.delivered")?.data, { logonId: "1001", extension: "4101", callManagerId: "kam2" });
  t.is((await second.done).exitCode, 0);
});

test("with no other call manager up, agents wait and move at the first failoverRetry after one comes up", async (t) => {
  const port2 = await freeTcpUdpPort();
  const f = await startDaemonFixture({ t, secondCallManager: { port: port2 }, system: `  failoverRetry: ${RETRY}` });
  await links(f, { kam: "up", kam2: "down" });
  await logon(f, "1001", "4101", "kam", true);
  const events = record(f);

  await f.kamailio.stop();
  const waitMsg = "no other active call manager in the site; phone agents wait for a retry";
  const waiting = () => f.logLines().filter((l) => l.msg === waitMsg);
  await eventually(() => (waiting().length >= 2 ? true : undefined), DETECTION_MS + RETRY_MS + 4000, "a retry");
  t.like(waiting()[0], { callManagerId: "kam", site: "main", agents: 1, retryInMs: RETRY_MS });
  t.is(f.daemon.agents.get("1001")?.callManagerId, "kam", "the agent stays while no other call manager is up");
  t.deepEqual(events.filter((e) => e.event === "callManager.failover"), []);

  const responder = await optionsResponder({ port: port2, t });
  const upAt = performance.now();
  const failover = await eventually(() => events.find((e) => e.event === "callManager.failover"), DETECTION_MS + RETRY_MS + 4000, "callManager.failover");
  const tookMs = failover.at - upAt;
  t.log(`agent moved ${tookMs.toFixed(0)} ms after kam2 started answering (keepalive interval 1 s + failoverRetry ${RETRY})`);
  t.true(tookMs <= 1000 + RETRY_MS + 1500, `${tookMs.toFixed(0)} ms`);
  t.true(responder.count() >= 1, "kam2 answered the keepalive");
  t.like(failover.data, { callManagerId: "kam", toCallManagerId: "kam2" });
  t.like(f.daemon.agents.get("1001"), { callManagerId: "kam2", extension: "4101", state: "idleReady" });
  t.deepEqual(await restoreRows(f), { "1001": "kam2" });
  t.deepEqual(events.filter((e) => e.event.startsWith("agent.")), []);
});
