import test from "ava";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { STREAMED_EVENTS } from "../../cti/api/event-filter.js";
import { CLOSE_SERVER_STOPPING, CLOSE_SLOW_CLIENT } from "../../cti/api/event-stream.js";
import type { CallQueuedEvent, CallDeliveredEvent, EventBus } from "../../cti/events/event-bus.js";
import { eventually, startApi } from "./api-fixture.js";
import { EventClient } from "./event-client.js";

const base = { dialed: "4000", caller: { number: "0401234567", name: "Grace" }, serviceAccess: "sales-line" };

function queued(callId: string, serviceGroup: string, position = 1): CallQueuedEvent {
  return { ...base, callId, serviceGroup, position, priority: 0, requeued: false };
}

function delivered(callId: string, serviceGroup: string, logonId: string): CallDeliveredEvent {
  return { ...base, callId, serviceGroup, logonId, extension: "3001", callManagerId: "cm-a1", agentCallId: `${callId}-agent` };
}

/** A marker event every unfiltered client receives: when it arrives, everything emitted before it has too. */
function emitMarker(bus: EventBus, n: number): void {
  bus.safeEmit("callManager.linkUp", { callManagerId: `marker-${n}`, name: "m", site: "north", host: "127.0.0.1", port: 1, transport: "udp", reason: "marker" });
}

test("events arrive in the order they were published, as {event, time, data}", async (t) => {
  const f = await startApi(t);
  const c = await EventClient.connect(`${f.wsUrl}/events`);
  const before = Date.now();
  for (let i = 1; i <= 50; i++) f.bus.safeEmit("call.queued", queued(`call-${i}`, "sales", i));
  f.bus.safeEmit("call.delivered", delivered("call-1", "sales", "1001"));
  const got = await c.waitFor(51);
  t.deepEqual(got.slice(0, 50).map((m) => m.data.callId), Array.from({ length: 50 }, (_, i) => `call-${i + 1}`));
  t.deepEqual(got[0], { event: "call.queued", time: got[0]!.time, data: { ...queued("call-1", "sales", 1) } });
  t.is(got[50]!.event, "call.delivered");
  t.true(Date.parse(got[0]!.time) >= before - 1 && Date.parse(got[0]!.time) <= Date.now());
  await c.close();
});

test("agent events from an API logon reach the stream; logon failures and lockouts never do", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  const c = await EventClient.connect(`${f.wsUrl}/events?events=*`);
  f.bus.safeEmit("agent.logonFailed", { logonId: "1001", extension: "3001", sourceAddress: "127.0.0.1", reason: "wrongPin" });
  f.bus.safeEmit("agent.lockedOut", { logonId: "1001", extension: "3001", sourceAddress: "127.0.0.1", failedAttempts: 5 });
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  await f.request("POST", "/agents/1001/notready", { body: { reason: "break" } });
  emitMarker(f.bus, 1);
  const got = await c.waitFor(4);
  t.deepEqual(got.map((m) => m.event), ["agent.stateChanged", "agent.logon", "agent.stateChanged", "callManager.linkUp"]);
  t.deepEqual(got[1]!.data, { logonId: "1001", extension: "3001", callManagerId: "cm-a1", via: "api" });
  t.deepEqual(got[2]!.data, { logonId: "1001", extension: "3001", from: "idleReady", to: "idleNotReady", reason: "break" });
  await c.close();
});

test("filters combine: event patterns, service group, logon ID and call ID", async (t) => {
  const f = await startApi(t);
  const all = await EventClient.connect(`${f.wsUrl}/events`);
  const calls = await EventClient.connect(`${f.wsUrl}/events?events=call.*`);
  const sales = await EventClient.connect(`${f.wsUrl}/events?serviceGroup=sales`);
  const twoGroups = await EventClient.connect(`${f.wsUrl}/events?serviceGroup=sales,support&events=call.queued`);
  const agent1001 = await EventClient.connect(`${f.wsUrl}/events?logonId=1001&events=call.*,agent.stateChanged`);
  const oneCall = await EventClient.connect(`${f.wsUrl}/events?callId=c2`);

  f.bus.safeEmit("call.queued", queued("c1", "sales"));
  f.bus.safeEmit("call.queued", queued("c2", "support"));
  f.bus.safeEmit("call.queued", queued("c3", "billing"));
  f.bus.safeEmit("call.delivered", delivered("c1", "sales", "1001"));
  f.bus.safeEmit("call.delivered", delivered("c2", "support", "1002"));
  f.bus.safeEmit("agent.stateChanged", { logonId: "1001", extension: "3001", from: "idleReady", to: "reserved" });
  f.bus.safeEmit("agent.stateChanged", { logonId: "1002", extension: "3002", from: "idleReady", to: "reserved" });
  f.bus.safeEmit("agent.logon", { logonId: "1001", extension: "3001", callManagerId: "cm-a1", via: "api" });
  emitMarker(f.bus, 1);
  await all.waitFor(9); // the marker arrived: every event before it has been sent to every client

  const summary = (c: EventClient) => c.messages.map((m) => `${m.event}:${String(m.data.callId ?? m.data.logonId ?? m.data.callManagerId)}`);
  t.deepEqual(summary(calls), ["call.queued:c1", "call.queued:c2", "call.queued:c3", "call.delivered:c1", "call.delivered:c2"]);
  t.deepEqual(summary(sales), ["call.queued:c1", "call.delivered:c1"]);
  t.deepEqual(summary(twoGroups), ["call.queued:c1", "call.queued:c2"]);
  t.deepEqual(summary(agent1001), ["call.delivered:c1", "agent.stateChanged:1001"]);
  t.deepEqual(summary(oneCall), ["call.queued:c2", "call.delivered:c2"]);
  for (const c of [all, calls, sales, twoGroups, agent1001, oneCall]) await c.close();
});

test("a bad filter is refused with 400 before the upgrade", async (t) => {
  const f = await startApi(t);
  for (const query of ["events=agent.logonFailed", "events=nothing.*", "events=call.queued,,agent.logon", "serviceGroup=", "colour=red"]) {
    const error = await t.throwsAsync(EventClient.connect(`${f.wsUrl}/events?${query}`));
    const e = error as Error & { status?: number; body?: string };
    t.is(e.status, 400, query);
    t.is((JSON.parse(e.body ?? "{}") as { error: { code: string } }).error.code, "CTI_ERR_BAD_REQUEST", query);
  }
  const plain = await f.request<{ error: { code: string; message: string } }>("GET", "/events");
  t.is(plain.status, 400);
  t.regex(plain.body.error.message, /WebSocket/);
});

test("bus listeners exist only while clients are connected", async (t) => {
  const f = await startApi(t);
  t.is(f.bus.listenerCount("call.queued"), 0);
  const a = await EventClient.connect(`${f.wsUrl}/events`);
  const b = await EventClient.connect(`${f.wsUrl}/events?events=agent.*`);
  t.is(f.bus.listenerCount("call.queued"), 1, "one fan-out listener, however many clients");
  await a.close();
  t.is(f.bus.listenerCount("call.queued"), 1);
  await b.close();
  await eventually(() => f.bus.listenerCount("call.queued") === 0 && f.bus.listenerCount("agent.logon") === 0, 2000, "listeners removed");
  t.pass();
});

test("a client that stops reading is dropped with close code 1013 once its unread bytes pass the limit", async (t) => {
  const limit = 64 * 1024;
  const f = await startApi(t, { eventStream: { maxBufferedBytes: limit, closeGraceMs: 5000 } });
  const slow = await EventClient.connect(`${f.wsUrl}/events`);
  const fast = await EventClient.connect(`${f.wsUrl}/events?events=agent.logon`);
  slow.ws.pause(); // stop reading: the kernel buffers fill, then the server's send buffer grows
  const padding = "x".repeat(1000);
  const dropLogged = () => f.log.text.some((l) => l.includes("too slow"));
  let emitted = 0;
  while (emitted < 200_000 && (emitted % 100 !== 0 || !dropLogged())) {
    f.bus.safeEmit("call.queued", { ...queued(`c-${emitted}`, "sales"), caller: { number: "1", name: padding } });
    emitted++;
    if (emitted % 1000 === 0) await new Promise((r) => setImmediate(r)); // let the socket flush what the kernel takes
  }
  t.true(dropLogged(), `the slow client was dropped (after ${emitted} events)`);
  f.bus.safeEmit("call.queued", queued("after-the-drop", "sales"));
  const warned = f.log.text.map((l) => JSON.parse(l) as { msg: string; unreadBytes?: number }).find((l) => l.msg.includes("too slow"));
  t.true(warned!.unreadBytes! > limit && warned!.unreadBytes! < limit + 2 * 1100, `unread bytes at the drop: ${warned!.unreadBytes}`);

  // The fast client is unaffected.
  f.bus.safeEmit("agent.logon", { logonId: "1001", extension: "3001", callManagerId: "cm-a1", via: "api" });
  t.is((await fast.waitFor(1))[0]!.event, "agent.logon");

  slow.ws.resume();
  const closed = await slow.closed;
  t.is(closed.code, CLOSE_SLOW_CLIENT);
  t.regex(closed.reason, /too slow/);
  t.true(slow.messages.length > 0 && slow.messages.length < emitted, `${slow.messages.length} of ${emitted} delivered before the drop`);
  t.deepEqual(slow.messages.map((m) => m.data.callId), slow.messages.map((_, i) => `c-${i}`), "what was delivered is in order, without gaps");
  t.false(slow.messages.some((m) => m.data.callId === "after-the-drop"));
  t.log(`emitted ${emitted} events of ~1.2 kB before the drop; ${slow.messages.length} reached the client`);
  await fast.close();
  await eventually(() => f.bus.listenerCount("call.queued") === 0, 2000, "listeners removed");
});

test("closing the server closes every client with 1001 and removes the listeners", async (t) => {
  const f = await startApi(t);
  const a = await EventClient.connect(`${f.wsUrl}/events`);
  const b = await EventClient.connect(`${f.wsUrl}/events?events=call.*`);
  await f.api.server.close();
  t.is((await a.closed).code, CLOSE_SERVER_STOPPING);
  t.is((await b.closed).code, CLOSE_SERVER_STOPPING);
  for (const event of STREAMED_EVENTS) t.is(f.bus.listenerCount(event), 0, event);
});

test("every call.* event of the bus is streamed", (t) => {
  const source = readFileSync(fileURLToPath(new URL("../../../cti/events/event-bus.ts", import.meta.url)), "utf8");
  const callEvents = [...source.matchAll(/^\s*"(call\.[A-Za-z]+)":/gm)].map((m) => m[1]!);
  t.true(callEvents.length >= 7);
  t.deepEqual(callEvents.filter((e) => !(STREAMED_EVENTS as readonly string[]).includes(e)), []);
});

test("a client that stops answering pings is terminated and its listeners removed", async (t) => {
  const f = await startApi(t, { eventStream: { heartbeatMs: 100 } });
  const live = await EventClient.connect(`${f.wsUrl}/events`);
  const dead = await EventClient.connect(`${f.wsUrl}/events`);
  dead.ws.pause(); // reads nothing, so never answers a ping
  await eventually(() => f.log.text.some((l) => l.includes("did not answer ping")), 3000, "the server gives up on it");
  dead.ws.resume();
  t.is((await dead.closed).code, 1006, "terminated, no close handshake");
  await new Promise((r) => setTimeout(r, 300));
  t.is(live.ws.readyState, live.ws.OPEN, "a client that answers stays");
  await live.close();
  await eventually(() => f.bus.listenerCount("call.queued") === 0, 2000, "listeners removed");
  t.pass();
});
