// The call detail recorder against a real SQLite store and the real event bus: realistic call.* sequences go in,
// rows come out. The recorder's clock is moved by hand so every duration is exact.
import test, { type ExecutionContext } from "ava";
import { CallDetailRecorder } from "../../cti/cdr/call-detail-recorder.js";
import type { CallEventBase } from "../../cti/events/event-bus.js";
import type { CallDetail } from "../../cti/store/open-store.js";
import { at, recorderRig, TENANT } from "./recorder-rig.js";

const rig = (t: ExecutionContext, options: { retryDelayMs?: number } = {}) =>
  recorderRig(t, {
    tempPrefix: "ctibridge-cdr-",
    create: ({ bus, store, logger, now }) => new CallDetailRecorder({ bus, callDetails: store.callDetails, tenantId: TENANT, logger, now, retryDelayMs: options.retryDelayMs ?? 50 }),
    read: (store, callId): Promise<CallDetail | undefined> => store.callDetails.get(TENANT, callId),
  });

function call(callId: string, serviceGroup = "sales"): CallEventBase {
  return { callId, dialed: "3000", caller: { number: "0701234567", name: "Åsa Öberg" }, serviceAccess: "sales-access", serviceGroup };
}

const ada = { logonId: "1001", extension: "2001", callManagerId: "demo" };
const bob = { logonId: "1002", extension: "2002", callManagerId: "demo" };

test("an answered call after a ring-no-answer: wait, alerting at the answering agent, talk, two offers, then clerical time", async (t) => {
  const { bus, advance, row, recorder, listenerErrors } = await rig(t);
  const c = call("answered-1@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(2_000);
  bus.safeEmit("call.delivered", { ...c, ...ada, agentCallId: "leg-a" });
  advance(15_000);
  bus.safeEmit("call.offerFailed", { ...c, ...ada, reason: "noAnswer" });
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: true });
  advance(3_000);
  bus.safeEmit("call.delivered", { ...c, ...bob, agentCallId: "leg-b" });
  advance(4_000);
  bus.safeEmit("agent.stateChanged", { ...bob, from: "reserved", to: "talking" });
  bus.safeEmit("call.established", { ...c, ...bob, agentCallId: "leg-b", recordingUri: undefined, waitMs: 24_000 });
  t.is(recorder.activeCalls, 1);
  t.is(await row(c.callId), undefined, "nothing is written before the call ends");
  advance(60_000);
  bus.safeEmit("call.cleared", { ...c, ...bob, releasedBy: "agent", talkMs: 60_000 });
  bus.safeEmit("agent.stateChanged", { ...bob, from: "talking", to: "clerical" });
  t.is(recorder.activeCalls, 0);

  const stored = await row(c.callId);
  t.deepEqual(stored, {
    id: stored!.id,
    tenantId: TENANT,
    callId: c.callId,
    visit: 1,
    serviceAccess: "sales-access",
    serviceGroup: "sales",
    dialedNumber: "3000",
    callerNumber: "0701234567",
    callerName: "Åsa Öberg",
    arrivedAt: at(0),
    answeredAt: at(24_000),
    endedAt: at(84_000),
    outcome: "answered",
    logonId: "1002",
    extension: "2002",
    waitMs: 24_000,
    alertingMs: 4_000,
    talkMs: 60_000,
    clericalMs: null,
    offers: 2,
    releasedBy: "agent",
  });

  advance(20_000);
  bus.safeEmit("agent.stateChanged", { ...bob, from: "clerical", to: "idleReady" });
  t.is((await row(c.callId))?.clericalMs, 20_000);
  t.deepEqual(listenerErrors, []);
});

test("a caller who hangs up in the queue leaves an abandoned row without an agent", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("abandoned-queue@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 3, priority: 0, requeued: false });
  advance(30_000);
  bus.safeEmit("call.abandoned", { ...c, stage: "queue", waitMs: 30_000 });
  t.like(await row(c.callId), {
    arrivedAt: at(0),
    answeredAt: null,
    endedAt: at(30_000),
    outcome: "abandoned",
    logonId: null,
    extension: null,
    waitMs: 30_000,
    alertingMs: 0,
    talkMs: 0,
    clericalMs: null,
    offers: 0,
    releasedBy: "caller",
  });
});

test("a caller who hangs up while an agent's phone rings is attributed to that agent, with the ringing time", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("abandoned-ringing@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(5_000);
  bus.safeEmit("call.delivered", { ...c, ...ada, agentCallId: "leg-a" });
  advance(7_000);
  bus.safeEmit("call.abandoned", { ...c, stage: "ringing", waitMs: 12_000, logonId: ada.logonId });
  t.like(await row(c.callId), {
    answeredAt: null,
    endedAt: at(12_000),
    outcome: "abandoned",
    logonId: "1001",
    extension: "2001",
    waitMs: 12_000,
    alertingMs: 7_000,
    offers: 1,
    releasedBy: "caller",
  });
});

test("an overflow into another group ends the first visit as overflowed and the call goes on as visit 2", async (t) => {
  const { bus, advance, row, store } = await rig(t);
  const c = call("overflow@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(60_000);
  bus.safeEmit("call.overflowed", { ...c, reason: "maxWait", destination: "serviceGroup:support", waitMs: 60_000 });
  const s = call(c.callId, "support");
  bus.safeEmit("call.queued", { ...s, position: 1, priority: 0, requeued: false });
  advance(10_000);
  bus.safeEmit("call.delivered", { ...s, ...ada, agentCallId: "leg-a" });
  advance(3_000);
  bus.safeEmit("call.established", { ...s, ...ada, agentCallId: "leg-a", recordingUri: undefined, waitMs: 73_000 });
  advance(45_000);
  bus.safeEmit("call.cleared", { ...s, ...ada, releasedBy: "caller", talkMs: 45_000 });
  await row(c.callId);
  const visits = await store.callDetails.visits(TENANT, c.callId);
  t.is(visits.length, 2);
  t.like(visits[0], { visit: 1, serviceGroup: "sales", arrivedAt: at(0), endedAt: at(60_000), outcome: "overflowed", waitMs: 60_000, logonId: null, releasedBy: null, offers: 0 });
  t.like(visits[1], {
    visit: 2,
    serviceGroup: "support",
    arrivedAt: at(60_000),
    answeredAt: at(73_000),
    endedAt: at(118_000),
    outcome: "answered",
    waitMs: 13_000,
    alertingMs: 3_000,
    talkMs: 45_000,
    logonId: "1001",
    offers: 1,
    releasedBy: "caller",
  });
});

test("a call sent away from a closed group, without ever queueing, is recorded as closed", async (t) => {
  const { bus, advance, row } = await rig(t);
  advance(1_000);
  const c = call("closed@10.0.0.1");
  bus.safeEmit("call.overflowed", { ...c, reason: "closed", destination: "prompt:closed", waitMs: 250 });
  t.like(await row(c.callId), { arrivedAt: at(750), endedAt: at(1_000), outcome: "closed", waitMs: 250, answeredAt: null, offers: 0, releasedBy: null });
});

test("a transferred conversation sums the talk of both agents and belongs to the last one", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("transfer@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(1_000);
  bus.safeEmit("call.delivered", { ...c, ...ada, agentCallId: "leg-a" });
  advance(2_000);
  bus.safeEmit("call.established", { ...c, ...ada, agentCallId: "leg-a", recordingUri: undefined, waitMs: 3_000 });
  advance(30_000);
  bus.safeEmit("call.delivered", { ...c, ...bob, agentCallId: "leg-b" });
  advance(5_000);
  bus.safeEmit("call.established", { ...c, ...bob, agentCallId: "leg-b", recordingUri: undefined, waitMs: 38_000 });
  advance(20_000);
  bus.safeEmit("call.cleared", { ...c, ...bob, releasedBy: "caller", talkMs: 20_000 });
  t.like(await row(c.callId), { answeredAt: at(3_000), waitMs: 3_000, alertingMs: 2_000, talkMs: 55_000, logonId: "1002", extension: "2002", offers: 2 });
});

test("a transfer to another service group ends the first group's visit with the transferring agent; the call goes on as visit 2 there", async (t) => {
  const { bus, advance, row, store } = await rig(t);
  const c = call("to-support@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(1_000);
  bus.safeEmit("call.delivered", { ...c, ...ada, agentCallId: "leg-a" });
  advance(2_000);
  bus.safeEmit("call.established", { ...c, ...ada, agentCallId: "leg-a", recordingUri: undefined, waitMs: 3_000 });
  advance(40_000);
  bus.safeEmit("call.transferred", { ...c, ...ada, to: "3001", kind: "serviceGroup", via: "refer", talkMs: 40_000 });
  bus.safeEmit("agent.stateChanged", { ...ada, from: "talking", to: "clerical" });
  const support = { ...call(c.callId, "support"), serviceAccess: "support-access" };
  bus.safeEmit("call.queued", { ...support, position: 1, priority: 0, requeued: false });
  advance(5_000);
  bus.safeEmit("call.delivered", { ...support, ...bob, agentCallId: "leg-b" });
  advance(1_000);
  bus.safeEmit("call.established", { ...support, ...bob, agentCallId: "leg-b", recordingUri: undefined, waitMs: 49_000 });
  advance(20_000);
  bus.safeEmit("call.cleared", { ...support, ...bob, releasedBy: "caller", talkMs: 20_000 });
  await row(c.callId);
  const rows = await store.callDetails.visits(TENANT, c.callId);
  t.is(rows.length, 2);
  t.like(rows[0], { visit: 1, serviceGroup: "sales", outcome: "answered", logonId: "1001", arrivedAt: at(0), answeredAt: at(3_000), endedAt: at(43_000), talkMs: 40_000, alertingMs: 2_000, releasedBy: "agent", offers: 1 });
  t.like(rows[1], { visit: 2, serviceGroup: "support", serviceAccess: "support-access", outcome: "answered", logonId: "1002", arrivedAt: at(43_000), answeredAt: at(49_000), waitMs: 6_000, talkMs: 20_000, offers: 1 });
});

test("a personal call's wait starts when it enters the dispatch queue, not when an agent picks it", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("personal@10.0.0.1", "personal");
  bus.safeEmit("dispatch.queued", { ...c, personalNumber: "4711", logonId: "1001", availability: "personal", reason: "busy" });
  advance(60_000);
  bus.safeEmit("dispatch.queued", { ...c, personalNumber: "4711", logonId: "1001", availability: "general", reason: "maxWait" });
  advance(10_000);
  bus.safeEmit("dispatch.picked", { ...c, ...bob, personalNumber: "4711", waitMs: 70_000 });
  bus.safeEmit("call.delivered", { ...c, ...bob, agentCallId: "leg-b" });
  advance(3_000);
  bus.safeEmit("call.established", { ...c, ...bob, agentCallId: "leg-b", recordingUri: undefined, waitMs: 73_000 });
  advance(30_000);
  bus.safeEmit("call.cleared", { ...c, ...bob, releasedBy: "caller", talkMs: 30_000 });
  t.like(await row(c.callId), { serviceGroup: "personal", arrivedAt: at(0), answeredAt: at(73_000), waitMs: 73_000, alertingMs: 3_000, talkMs: 30_000, logonId: "1002", offers: 1, outcome: "answered" });
});

test("clerical time is kept whichever comes first, the state change or call.cleared, and only right after a call", async (t) => {
  const { bus, advance, row } = await rig(t);
  const first = call("clerical-first@10.0.0.1");
  bus.safeEmit("call.delivered", { ...first, ...ada, agentCallId: "leg-a" });
  bus.safeEmit("call.established", { ...first, ...ada, agentCallId: "leg-a", recordingUri: undefined, waitMs: 0 });
  advance(10_000);
  bus.safeEmit("agent.stateChanged", { ...ada, from: "talking", to: "clerical" });
  bus.safeEmit("call.cleared", { ...first, ...ada, releasedBy: "caller", talkMs: 10_000 });
  advance(7_500);
  bus.safeEmit("agent.stateChanged", { ...ada, from: "clerical", to: "idleReady" });
  t.is((await row(first.callId))?.clericalMs, 7_500);

  // The same agent goes to clerical state long after its next call ended: that is not the call's clerical time.
  const second = call("clerical-late@10.0.0.1");
  bus.safeEmit("call.established", { ...second, ...ada, agentCallId: "leg-a2", recordingUri: undefined, waitMs: 0 });
  advance(10_000);
  bus.safeEmit("call.cleared", { ...second, ...ada, releasedBy: "agent", talkMs: 10_000 });
  advance(600_000);
  bus.safeEmit("agent.stateChanged", { ...ada, from: "idleReady", to: "clerical" });
  advance(5_000);
  bus.safeEmit("agent.stateChanged", { ...ada, from: "clerical", to: "idleReady" });
  t.like(await row(second.callId), { outcome: "answered", clericalMs: null });
});

test("a failed write is logged and retried once; the row arrives on the retry", async (t) => {
  const { bus, advance, row, raw, onLog, logs, listenerErrors } = await rig(t, { retryDelayMs: 100 });
  // The table is away when the record is written, and back before the retry.
  raw.exec("alter table call_detail rename to call_detail_away");
  onLog((line) => {
    if (line.msg === "call detail write failed; retrying once") raw.exec("alter table call_detail_away rename to call_detail");
  });
  const c = call("retry@10.0.0.1");
  bus.safeEmit("call.queued", { ...c, position: 1, priority: 0, requeued: false });
  advance(8_000);
  bus.safeEmit("call.abandoned", { ...c, stage: "queue", waitMs: 8_000 });
  t.like(await row(c.callId), { outcome: "abandoned", waitMs: 8_000 });
  const warned = logs.filter((l) => l.msg === "call detail write failed; retrying once");
  t.is(warned.length, 1);
  t.like(warned[0], { level: 40, callId: c.callId, what: "insert", retryInMs: 100 });
  t.regex(JSON.stringify(warned[0]), /no such table: call_detail/);
  t.true(logs.some((l) => l.msg === "call detail write succeeded on retry"));
  t.deepEqual(listenerErrors, []);
});

test("a write that fails twice is logged with the whole record, and the bus and later calls are unaffected", async (t) => {
  const { bus, advance, row, raw, logs, listenerErrors, recorder } = await rig(t, { retryDelayMs: 20 });
  raw.exec("alter table call_detail rename to call_detail_away");
  const lost = call("lost@10.0.0.1");
  bus.safeEmit("call.queued", { ...lost, position: 1, priority: 0, requeued: false });
  advance(4_000);
  bus.safeEmit("call.abandoned", { ...lost, stage: "queue", waitMs: 4_000 });
  await recorder.flush();
  t.is(logs.filter((l) => l.msg === "call detail write failed; retrying once").length, 1, "exactly one retry");
  const error = logs.find((l) => l.msg === "call detail write failed twice; record lost");
  t.like(error, { level: 50, callId: lost.callId, record: { callId: lost.callId, outcome: "abandoned", waitMs: 4_000 } });

  raw.exec("alter table call_detail_away rename to call_detail");
  t.is(await row(lost.callId), undefined);
  const next = call("after-loss@10.0.0.1");
  bus.safeEmit("call.queued", { ...next, position: 1, priority: 0, requeued: false });
  advance(1_000);
  bus.safeEmit("call.abandoned", { ...next, stage: "queue", waitMs: 1_000 });
  t.like(await row(next.callId), { outcome: "abandoned" });
  t.deepEqual(listenerErrors, []);
});

test("close() writes the calls still open as ended by the system, stops listening, and is idempotent", async (t) => {
  const { bus, advance, store, recorder } = await rig(t);
  const talking = call("talking-at-close@10.0.0.1");
  const queued = call("queued-at-close@10.0.0.1");
  bus.safeEmit("call.queued", { ...talking, position: 1, priority: 0, requeued: false });
  bus.safeEmit("call.delivered", { ...talking, ...ada, agentCallId: "leg-a" });
  advance(2_000);
  bus.safeEmit("call.established", { ...talking, ...ada, agentCallId: "leg-a", recordingUri: undefined, waitMs: 2_000 });
  bus.safeEmit("call.queued", { ...queued, position: 1, priority: 0, requeued: false });
  advance(9_000);
  await Promise.all([recorder.close(), recorder.close()]);
  t.is(recorder.activeCalls, 0);
  t.like(await store.callDetails.get(TENANT, talking.callId), { outcome: "answered", releasedBy: "system", talkMs: 9_000, alertingMs: 2_000, logonId: "1001" });
  t.like(await store.callDetails.get(TENANT, queued.callId), { outcome: "failed", releasedBy: "system", waitMs: 9_000, answeredAt: null, logonId: null });

  const after = call("after-close@10.0.0.1");
  bus.safeEmit("call.queued", { ...after, position: 1, priority: 0, requeued: false });
  bus.safeEmit("call.abandoned", { ...after, stage: "queue", waitMs: 0 });
  t.is(bus.listenerCount("call.queued"), 0);
  await recorder.flush();
  t.is(await store.callDetails.get(TENANT, after.callId), undefined);
});
