// The agent call recorder against a real SQLite store and the real event bus: the MakeCall event sequences
// (cti/calls/make-call.ts) go in, agent_call_detail rows come out. The recorder's clock is moved by hand so every
// duration is exact.
import test, { type ExecutionContext } from "ava";
import { AgentCallRecorder } from "../../cti/cdr/agent-call-recorder.js";
import type { AgentCallEventBase } from "../../cti/events/event-bus.js";
import type { AgentCallDetail } from "../../cti/store/open-store.js";
import { at, recorderRig, TENANT } from "./recorder-rig.js";

const rig = (t: ExecutionContext, options: { retryDelayMs?: number } = {}) =>
  recorderRig(t, {
    tempPrefix: "ctibridge-agent-cdr-",
    create: ({ bus, store, logger, now }) => new AgentCallRecorder({ bus, agentCallDetails: store.agentCallDetails, tenantId: TENANT, logger, now, retryDelayMs: options.retryDelayMs ?? 50 }),
    read: (store, callId): Promise<AgentCallDetail | undefined> => store.agentCallDetails.get(TENANT, callId),
  });

/** A call agent 1001 makes at extension 2001 through call manager "demo". */
function call(callId: string, extra: Partial<AgentCallEventBase> = {}): AgentCallEventBase {
  return { callId, direction: "outbound", logonId: "1001", extension: "2001", callManagerId: "demo", destination: "0701234567", ...extra };
}
const SALES_ID = { callerId: { name: "Sales", callerId: "811" }, serviceGroup: "sales" };

test("an answered call made for a service group: caller ID, what was dialed, setup and talk time from one clock", async (t) => {
  const { bus, advance, row, recorder, listenerErrors } = await rig(t);
  const c = call("answered@10.0.0.1", SALES_ID);
  bus.safeEmit("call.initiated", c);
  advance(3_000);
  bus.safeEmit("call.originated", { ...c, destinationCallId: "dest-1", dialed: "8110701234567", presented: "2001" });
  advance(5_000);
  bus.safeEmit("call.connected", { ...c, destinationCallId: "dest-1", recordingUri: undefined, setupMs: 8_000 });
  t.is(recorder.activeCalls, 1);
  t.is(await row(c.callId), undefined, "nothing is written before the call ends");
  advance(42_000);
  bus.safeEmit("call.ended", { ...c, stage: "connected", releasedBy: "destination", reason: "hangUp", talkMs: 42_000 });
  t.is(recorder.activeCalls, 0);

  const stored = await row(c.callId);
  t.deepEqual(stored, {
    id: stored!.id,
    tenantId: TENANT,
    callId: c.callId,
    logonId: "1001",
    extension: "2001",
    callManagerId: "demo",
    destination: "0701234567",
    dialed: "8110701234567",
    callerId: { name: "Sales", callerId: "811" },
    serviceGroup: "sales",
    initiatedAt: at(0),
    answeredAt: at(8_000),
    endedAt: at(50_000),
    outcome: "answered",
    stage: "connected",
    releasedBy: "destination",
    sipStatus: null,
    setupMs: 8_000,
    talkMs: 42_000,
  });
  t.deepEqual(listenerErrors, []);
});

test("a busy destination: outcome busy in stage dialing with its SIP status; no answer time, setup or talk", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("busy@10.0.0.1");
  bus.safeEmit("call.initiated", c);
  advance(2_000);
  bus.safeEmit("call.originated", { ...c, destinationCallId: "dest-2", dialed: "0701234567", presented: "2001" });
  advance(1_000);
  bus.safeEmit("call.ended", { ...c, stage: "dialing", releasedBy: "destination", reason: "busy", sipStatus: 486, talkMs: 0 });
  t.like(await row(c.callId), {
    outcome: "busy",
    stage: "dialing",
    releasedBy: "destination",
    sipStatus: 486,
    dialed: "0701234567",
    callerId: null,
    serviceGroup: null,
    initiatedAt: at(0),
    answeredAt: null,
    endedAt: at(3_000),
    setupMs: null,
    talkMs: 0,
  });
});

test("the agent not answering its own phone: outcome noAnswer in stage agentRinging, released by the system, nothing dialed", async (t) => {
  const { bus, advance, row } = await rig(t);
  const c = call("agent-no-answer@10.0.0.1", { serviceGroup: "sales" });
  bus.safeEmit("call.initiated", c);
  advance(15_000);
  bus.safeEmit("call.ended", { ...c, stage: "agentRinging", releasedBy: "system", reason: "noAnswer", talkMs: 0 });
  t.like(await row(c.callId), {
    outcome: "noAnswer",
    stage: "agentRinging",
    releasedBy: "system",
    dialed: null,
    serviceGroup: "sales",
    answeredAt: null,
    endedAt: at(15_000),
    setupMs: null,
    talkMs: 0,
  });
});

test("cancelled: the agent hanging up while the destination rings, and the agent logged off while its phone rings", async (t) => {
  const { bus, advance, row } = await rig(t);
  const hungUp = call("agent-gives-up@10.0.0.1");
  bus.safeEmit("call.initiated", hungUp);
  advance(1_000);
  bus.safeEmit("call.originated", { ...hungUp, destinationCallId: "dest-3", dialed: "0701234567", presented: "2001" });
  advance(6_000);
  bus.safeEmit("call.ended", { ...hungUp, stage: "dialing", releasedBy: "agent", reason: "hangUp", talkMs: 0 });
  t.like(await row(hungUp.callId), { outcome: "cancelled", stage: "dialing", releasedBy: "agent", endedAt: at(7_000), answeredAt: null, talkMs: 0 });

  const loggedOff = call("logged-off@10.0.0.1", { logonId: "1002", extension: "2002" });
  bus.safeEmit("call.initiated", loggedOff);
  advance(2_000);
  bus.safeEmit("call.ended", { ...loggedOff, stage: "agentRinging", releasedBy: "system", reason: "cancelled", talkMs: 0 });
  t.like(await row(loggedOff.callId), { outcome: "cancelled", stage: "agentRinging", releasedBy: "system", logonId: "1002", extension: "2002" });
});

test("close() writes the calls still open as ended by the system in their stage, stops listening, and is idempotent", async (t) => {
  const { bus, advance, store, recorder } = await rig(t);
  const talking = call("talking-at-close@10.0.0.1", SALES_ID);
  const ringing = call("ringing-at-close@10.0.0.1", { logonId: "1002", extension: "2002" });
  bus.safeEmit("call.initiated", talking);
  advance(1_000);
  bus.safeEmit("call.originated", { ...talking, destinationCallId: "dest-4", dialed: "0701234567", presented: "811" });
  advance(2_000);
  bus.safeEmit("call.connected", { ...talking, destinationCallId: "dest-4", recordingUri: undefined, setupMs: 3_000 });
  bus.safeEmit("call.initiated", ringing);
  advance(9_000);
  await Promise.all([recorder.close(), recorder.close()]);
  t.is(recorder.activeCalls, 0);
  t.like(await store.agentCallDetails.get(TENANT, talking.callId), { outcome: "answered", stage: "connected", releasedBy: "system", setupMs: 3_000, talkMs: 9_000, endedAt: at(12_000) });
  t.like(await store.agentCallDetails.get(TENANT, ringing.callId), { outcome: "cancelled", stage: "agentRinging", releasedBy: "system", answeredAt: null, endedAt: at(12_000) });

  const after = call("after-close@10.0.0.1");
  bus.safeEmit("call.initiated", after);
  bus.safeEmit("call.ended", { ...after, stage: "agentRinging", releasedBy: "agent", reason: "declined", sipStatus: 603, talkMs: 0 });
  t.is(bus.listenerCount("call.ended"), 0);
  await recorder.flush();
  t.is(await store.agentCallDetails.get(TENANT, after.callId), undefined);
});

test("a failed write is logged and retried once (the writer shared with the service group recorder)", async (t) => {
  const { bus, advance, row, raw, onLog, logs, listenerErrors } = await rig(t, { retryDelayMs: 100 });
  raw.exec("alter table agent_call_detail rename to agent_call_detail_away");
  onLog((line) => {
    if (line.msg === "agent call detail write failed; retrying once") raw.exec("alter table agent_call_detail_away rename to agent_call_detail");
  });
  const c = call("retry@10.0.0.1");
  bus.safeEmit("call.initiated", c);
  advance(4_000);
  bus.safeEmit("call.ended", { ...c, stage: "agentRinging", releasedBy: "agent", reason: "declined", sipStatus: 603, talkMs: 0 });
  t.like(await row(c.callId), { outcome: "declined", sipStatus: 603 });
  const warned = logs.filter((l) => l.msg === "agent call detail write failed; retrying once");
  t.is(warned.length, 1);
  t.like(warned[0], { level: 40, callId: c.callId, what: "insert", retryInMs: 100 });
  t.regex(JSON.stringify(warned[0]), /no such table: agent_call_detail/);
  t.true(logs.some((l) => l.msg === "agent call detail write succeeded on retry"));
  t.deepEqual(listenerErrors, []);
});

test("a record the store refuses is logged whole and not retried; the bus is unaffected", async (t) => {
  const { bus, row, logs, listenerErrors, recorder } = await rig(t);
  const c = call("refused@10.0.0.1", { logonId: "x".repeat(101) });
  bus.safeEmit("call.initiated", c);
  bus.safeEmit("call.ended", { ...c, stage: "agentRinging", releasedBy: "agent", reason: "busy", sipStatus: 486, talkMs: 0 });
  await recorder.flush();
  t.like(logs.find((l) => l.msg === "agent call detail write refused; not retried"), { level: 50, callId: c.callId, record: { outcome: "busy" } });
  t.false(logs.some((l) => l.msg === "agent call detail write failed; retrying once"));
  t.is(await row(c.callId), undefined);
  t.deepEqual(listenerErrors, []);
});

test("reports: an agent's calls and a service group's calls in a time range, oldest first", async (t) => {
  const { bus, advance, store, recorder } = await rig(t);
  const made = [
    call("r1@10.0.0.1", SALES_ID),
    call("r2@10.0.0.1", { logonId: "1002", extension: "2002", serviceGroup: "sales" }),
    call("r3@10.0.0.1"),
    call("r4@10.0.0.1", { logonId: "1002", extension: "2002", serviceGroup: "support" }),
  ];
  for (const c of made) {
    bus.safeEmit("call.initiated", c);
    advance(60_000);
    bus.safeEmit("call.ended", { ...c, stage: "agentRinging", releasedBy: "system", reason: "noAnswer", talkMs: 0 });
  }
  await recorder.flush();
  const day = { tenantId: TENANT, from: at(0), to: at(86_400_000), limit: 100 };
  t.deepEqual((await store.agentCallDetails.list({ ...day, logonId: "1001" })).map((r) => r.callId), ["r1@10.0.0.1", "r3@10.0.0.1"]);
  t.deepEqual((await store.agentCallDetails.list({ ...day, serviceGroup: "sales" })).map((r) => r.callId), ["r1@10.0.0.1", "r2@10.0.0.1"]);
  t.deepEqual((await store.agentCallDetails.list({ ...day, from: at(60_000), to: at(180_000) })).map((r) => r.callId), ["r2@10.0.0.1", "r3@10.0.0.1"]);
  t.deepEqual((await store.agentCallDetails.list({ ...day, limit: 1 })).map((r) => r.callId), ["r1@10.0.0.1"]);
});
