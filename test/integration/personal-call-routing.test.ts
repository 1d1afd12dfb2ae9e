// Personal call routing, the manual's rules one by one ("Configuration of Personal Call Routing" and "… Without
// Dispatch"), against the real daemon: Kamailio as the call manager, SIPp callers dialing the personal-calls BVD
// 3100 with the diverted personal number in Diversion, History-Info or To, SIPp phones as agents and default
// destinations. Timers run with short configured values.
import test from "ava";
import { renderCallScenario } from "../harness/sipp-scenario.js";
import { runSipp, startCall, type CallOptions, type SippProcess } from "../harness/sipp.js";
import { testTempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import { eventually, startDaemonFixture, type DaemonFixture } from "./daemon-fixture.js";
import { agentPhone, agentState, allPortsFree, type Recorded } from "./acd-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";

interface Options {
  maxWaitPersonal?: string;
  ringTime?: string;
  systemDefault?: string;
}

function personalConfig(o: Options = {}): { system: string; config: string; bvds: string } {
  return {
    system: o.systemDefault ? `  defaultDestination: "${o.systemDefault}"` : "",
    config: `
serviceAccesses:
  - { id: personal-line, serviceGroup: Personal }
serviceGroups:
  - id: Personal
    type: manualRouting
    personalCalls: true
    maxWaitPersonal: ${o.maxWaitPersonal ?? "1500ms"}
    ringTime: ${o.ringTime ?? "1500ms"}
    agents: "*"
`,
    bvds: "  - { number: 3100, kind: serviceAccess, serviceAccess: personal-line }",
  };
}

const RECORDED = ["call.delivered", "call.established", "call.offerFailed", "call.cleared", "call.abandoned", "call.overflowed", "dispatch.queued", "dispatch.picked", "dispatch.deflected", "agent.stateChanged"] as const;

async function fixture(t: TeardownContext, o: Options = {}): Promise<DaemonFixture & { events: Recorded[] }> {
  const f = await startDaemonFixture({ t, ...personalConfig(o) });
  const events: Recorded[] = [];
  for (const name of RECORDED) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return Object.assign(f, { events });
}

/** An agent in the directory with a personal number (and maybe a default destination, no dispatch privilege). */
async function addAgent(f: DaemonFixture, logonId: string, pdn: string, extra: { defaultDestination?: string; dispatch?: boolean } = {}): Promise<void> {
  await f.daemon.store.users.add({ tenantId: -1, logonId, pin: "6172839", personalNumber: pdn, ...extra });
}

async function logOn(f: DaemonFixture, logonId: string, extension: string): Promise<void> {
  const response = await fetch(`${f.httpUrl}/agents/${logonId}/logon`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ extension }) });
  if (response.status !== 200) throw new Error(`logon ${logonId}: ${response.status} ${await response.text()}`);
}

async function post(f: DaemonFixture, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(f.httpUrl + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A caller to BVD 3100 whose call manager diverted it from `pdn` (Diversion header). */
function divertedCall(f: DaemonFixture, t: TeardownContext, pdn: string, from: string, o: Partial<CallOptions> = {}): Promise<SippProcess> {
  return startCall({ proxyPort: f.kamailio.port, dialed: "3100", from, headers: [`Diversion: <sip:${pdn}@127.0.0.1>;reason=unconditional;counter=1`], hangup: "local", holdAfterMs: 1000, t, ...o });
}

const ofEvent = (f: { events: Recorded[] }, name: string) => f.events.filter((e) => e.event === name);
const waitEvent = (f: { events: Recorded[] }, name: string, n = 1, timeoutMs = 8000) =>
  eventually(() => (ofEvent(f, name).length >= n ? ofEvent(f, name)[n - 1] : undefined), timeoutMs, `${name} #${n}`);

test("the called number from Diversion: an idle agent is offered its personal call even when not ready, and stays not ready after it", async (t) => {
  const f = await fixture(t);
  const phone = await agentPhone(f, t, "1001", { ringMs: 200 });
  await addAgent(f, "1001", "4711");
  await logOn(f, "1001", "1001");
  t.is((await post(f, "/agents/1001/notready", { reason: "lunch" })).status, 200);

  const caller = await divertedCall(f, t, "4711", "5551", { holdAfterMs: 1500 });
  const invite = await phone.waitForInvite(1);
  t.regex(invite.text, /^From: .*<sip:5551@/m, "the agent's phone shows the caller");
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent 1001 talking");
  t.like(ofEvent(f, "call.established")[0]?.data, { logonId: "1001", serviceGroup: "Personal", dialed: "3100" });
  t.is(ofEvent(f, "dispatch.queued").length, 0, "never in the dispatch queue");
  t.true(f.logLines().some((l) => l.msg === "personal call for an agent" && l.logonId === "1001" && l.personalNumber === "4711" && l.source === "diversion"));
  t.is((await caller.done).exitCode, 0);
  await eventually(() => (agentState(f, "1001") === "idleNotReady" ? true : undefined), 3000, "agent 1001 idle again");
  t.like(f.daemon.agents.get("1001"), { notReadyReason: "lunch" }, "the personal call left the agent not ready, as it was");
  await allPortsFree(f);
});

test("the called number from History-Info when there is no Diversion, else from To", async (t) => {
  const f = await fixture(t);
  const phone2 = await agentPhone(f, t, "1002", { ringMs: 100 });
  const phone3 = await agentPhone(f, t, "1003", { ringMs: 100 });
  await addAgent(f, "1002", "4722");
  await addAgent(f, "1003", "4733");
  await logOn(f, "1002", "1002");
  await logOn(f, "1003", "1003");

  // RFC 7044: 4722 reached at its contact (rc), then diverted to the CTI group (mp=1).
  const byHistory = await startCall({
    proxyPort: f.kamailio.port, dialed: "3100", from: "5552", hangup: "local", holdAfterMs: 800, t,
    headers: ["History-Info: <sip:4722@127.0.0.1>;index=1,<sip:4722@10.0.0.7>;index=1.1;rc=1", "History-Info: <sip:3100@127.0.0.1?Reason=SIP%3Bcause%3D302>;index=1.2;mp=1"],
  });
  await phone2.waitForInvite(1);
  t.is((await byHistory.done).exitCode, 0);

  // A call manager that retargets the Request-URI to the BVD and keeps the original To.
  const byTo = await callWithTo(f, t, "4733", "5553");
  await phone3.waitForInvite(1);
  t.is((await byTo.done).exitCode, 0);

  const delivered = ofEvent(f, "call.delivered").map((e) => e.data.logonId);
  t.deepEqual(delivered, ["1002", "1003"]);
  const sources = f.logLines().filter((l) => l.msg === "personal call for an agent").map((l) => [l.personalNumber, l.source]);
  t.deepEqual(sources, [["4722", "historyInfo"], ["4733", "to"]]);
  t.is(phone2.invitesReceived().length, 1);
  t.is(phone3.invitesReceived().length, 1);
  await allPortsFree(f);
});

test("busy agent (with dispatch): reserved for the agent in the dispatch queue, generally available after the maximum wait", async (t) => {
  const f = await fixture(t, { maxWaitPersonal: "1500ms" });
  await agentPhone(f, t, "1001", { hangupAfterMs: 6000 });
  const other = await agentPhone(f, t, "1002", { ringMs: 100 });
  await addAgent(f, "1001", "4711");
  await addAgent(f, "1002", "4722");
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");

  const first = await divertedCall(f, t, "4711", "5561", { hangup: "remote", byeTimeoutMs: 15_000 });
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent 1001 talking");
  const second = await divertedCall(f, t, "4711", "5562", { holdAfterMs: 2500 });
  const queued = await waitEvent(f, "dispatch.queued");
  t.like(queued.data, { personalNumber: "4711", logonId: "1001", availability: "personal", reason: "busy", serviceGroup: "Personal" });
  const list = await f.getJson<Record<string, unknown>[]>("/dispatch-queue");
  t.is(list.status, 200);
  t.is(list.body.length, 1);
  t.like(list.body[0], { personalNumber: "4711", intendedLogonId: "1001", availability: "personal", caller: { number: "5562" } });
  const callId = list.body[0]!.callId as string;

  // Reserved: another agent cannot take it yet.
  const early = await post(f, `/dispatch-queue/${encodeURIComponent(callId)}/pick`, { logonId: "1002" });
  t.is(early.status, 403);
  t.like(early.body, { error: { code: "CTI_ERR_DISPATCH_NOT_ALLOWED" } });

  const general = await waitEvent(f, "dispatch.queued", 2, 4000);
  t.like(general.data, { availability: "general", logonId: "1001" });
  const waited = general.at - queued.at;
  t.true(waited >= 1400 && waited < 2200, `generally available after the 1.5 s maximum wait (${Math.round(waited)} ms)`);
  t.like((await f.getJson<Record<string, unknown>[]>("/dispatch-queue?serviceGroup=Personal")).body[0], { availability: "general" });

  const picked = await post(f, `/dispatch-queue/${encodeURIComponent(callId)}/pick`, { logonId: "1002" });
  t.is(picked.status, 200, JSON.stringify(picked.body));
  await other.waitForInvite(1);
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "agent 1002 talking");
  t.like(ofEvent(f, "dispatch.picked")[0]?.data, { logonId: "1002", personalNumber: "4711", callId });
  t.deepEqual((await f.getJson<unknown[]>("/dispatch-queue")).body, []);
  t.is((await second.done).exitCode, 0);
  await first.done;
  await allPortsFree(f);
});

test("agent not logged on: the agent's default destination takes the call, else the system default destination", async (t) => {
  const f = await fixture(t, { systemDefault: "5003" });
  const ownDefault = await agentPhone(f, t, "5001", { ringMs: 100 });
  const systemDefault = await agentPhone(f, t, "5003", { ringMs: 100 });
  await addAgent(f, "1003", "4733", { defaultDestination: "5001" });
  await addAgent(f, "1004", "4744", { defaultDestination: "5002" }); // 5002 is not registered: Kamailio answers 404

  const toOwn = await divertedCall(f, t, "4733", "5571", { holdAfterMs: 800 });
  const ownInvite = await ownDefault.waitForInvite(1);
  t.regex(ownInvite.text, /^From: .*<sip:5571@/m, "the default destination sees the caller");
  t.is((await toOwn.done).exitCode, 0, "the caller was connected to the default destination");
  t.like(ofEvent(f, "dispatch.deflected")[0]?.data, { destination: "5001", personalNumber: "4733", logonId: "1003" });
  const overflow = ofEvent(f, "call.overflowed")[0]!.data;
  t.like(overflow, { reason: "defaultDestination", destination: "number:5001", serviceGroup: "Personal" });
  const cdr = await eventually(() => f.daemon.store.callDetails.get(-1, overflow.callId as string), 3000, "the CDR row");
  t.like(cdr, { outcome: "overflowed", serviceGroup: "Personal", dialedNumber: "3100", callerNumber: "5571" });

  const toSystem = await divertedCall(f, t, "4744", "5572", { holdAfterMs: 800 });
  await systemDefault.waitForInvite(1);
  t.is((await toSystem.done).exitCode, 0);
  t.like(ofEvent(f, "dispatch.deflected")[1]?.data, { destination: "5003", logonId: "1004" });
  t.is(ofEvent(f, "dispatch.queued").length, 0);
  t.is(ofEvent(f, "call.delivered").length, 0, "no agent was offered the calls");
  await allPortsFree(f);
});

test("agent not logged on and no default destination takes the call: the dispatch queue", async (t) => {
  const f = await fixture(t);
  await addAgent(f, "1005", "4755", { defaultDestination: "5002" }); // not registered: fails, and no system default
  const caller = await divertedCall(f, t, "4755", "5581", { holdAfterMs: 2000 });
  const queued = await waitEvent(f, "dispatch.queued");
  t.like(queued.data, { personalNumber: "4755", logonId: "1005", availability: "general", reason: "notLoggedOn" });
  t.like((await f.getJson<Record<string, unknown>[]>("/dispatch-queue")).body[0], { reason: "notLoggedOn", intendedLogonId: "1005" });
  t.is((await caller.done).exitCode, 0);
  await eventually(async () => ((await f.getJson<unknown[]>("/dispatch-queue")).body.length === 0 ? true : undefined), 3000, "caller gone from the queue");
  t.like(ofEvent(f, "call.abandoned")[0]?.data, { stage: "queue" });
  await allPortsFree(f);
});

test("no answer within ring time supervision: CANCEL, and the call goes to the dispatch queue", async (t) => {
  const f = await fixture(t, { ringTime: "1500ms" });
  const silent = await agentPhone(f, t, "1001", { answer: "none" });
  await addAgent(f, "1001", "4711");
  await logOn(f, "1001", "1001");
  const caller = await divertedCall(f, t, "4711", "5591", { holdAfterMs: 3500 });
  await silent.waitForInvite(1);
  await silent.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the silent phone", 5000);
  const queued = await waitEvent(f, "dispatch.queued");
  t.like(queued.data, { availability: "general", reason: "noAnswer", logonId: "1001" });
  const delivered = ofEvent(f, "call.delivered")[0]!;
  const ringMs = queued.at - delivered.at;
  t.true(ringMs >= 1400 && ringMs < 2200, `given up after the 1.5 s ring time (${Math.round(ringMs)} ms)`);
  t.like(ofEvent(f, "call.offerFailed")[0]?.data, { logonId: "1001", reason: "noAnswer" });
  t.like(f.daemon.agents.get("1001"), { state: "idleNotReady", notReadyReason: "no answer" });
  t.is(silent.invitesReceived().length, 1, "not offered to the agent again");
  t.is((await caller.done).exitCode, 0);
  await allPortsFree(f);
});

test("the dispatch queue through the Open Interface: an unidentified call is listed; picking needs an idle agent with the Dispatch privilege; a pick not answered returns it", async (t) => {
  const f = await fixture(t, { ringTime: "1s" });
  const silent = await agentPhone(f, t, "1001", { answer: "none" });
  const answering = await agentPhone(f, t, "1002", { ringMs: 100 });
  await agentPhone(f, t, "1003");
  await addAgent(f, "1001", "4711");
  await addAgent(f, "1002", "4722");
  await addAgent(f, "1003", "4733", { dispatch: false });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  await logOn(f, "1003", "1003");

  const caller = await divertedCall(f, t, "4999", "5601", { holdAfterMs: 5000 }); // nobody's personal number
  await waitEvent(f, "dispatch.queued");
  const [entry] = (await f.getJson<Record<string, unknown>[]>("/dispatch-queue")).body;
  t.like(entry, { personalNumber: "4999", availability: "general", reason: "unidentified", dialed: "3100", serviceGroup: "Personal", caller: { number: "5601" } });
  t.false("intendedLogonId" in entry!);
  t.true((entry!.waitMs as number) >= 0);
  const pickPath = `/dispatch-queue/${encodeURIComponent(entry!.callId as string)}/pick`;

  t.like(await post(f, pickPath, { logonId: "1003" }), { status: 403, body: { error: { code: "CTI_ERR_DISPATCH_NOT_ALLOWED" } } }, "no Dispatch privilege");
  t.like(await post(f, pickPath, { logonId: "1009" }), { status: 409, body: { error: { code: "CTI_ERR_AGENT_NOT_LOGGED_ON" } } });
  t.like(await post(f, "/dispatch-queue/nope/pick", { logonId: "1002" }), { status: 404, body: { error: { code: "CTI_ERR_CALL_NOT_FOUND" } } });

  t.is((await post(f, pickPath, { logonId: "1001" })).status, 200);
  await silent.waitForInvite(1);
  const back = await waitEvent(f, "dispatch.queued", 2, 4000);
  t.like(back.data, { reason: "pickNotAnswered", availability: "general" });
  t.is((await f.getJson<unknown[]>("/dispatch-queue")).body.length, 1, "back in the dispatch queue");

  t.is((await post(f, pickPath, { logonId: "1002" })).status, 200);
  await answering.waitForInvite(1);
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "agent 1002 talking");
  t.like(await post(f, pickPath, { logonId: "1002" }), { status: 404 }, "a picked call is no longer in the queue");
  t.deepEqual(ofEvent(f, "dispatch.picked").map((e) => e.data.logonId), ["1001", "1002"]);
  t.is((await caller.done).exitCode, 0);
  await allPortsFree(f);
});

test("without dispatch: the personal call waits for its busy agent and is offered as soon as the agent is idle", async (t) => {
  const f = await fixture(t, { maxWaitPersonal: "4s" });
  const phone = await agentPhone(f, t, "1001", { hangupAfterMs: 1000 });
  await addAgent(f, "1001", "4711", { dispatch: false });
  await logOn(f, "1001", "1001");
  const first = await divertedCall(f, t, "4711", "5611", { hangup: "remote", byeTimeoutMs: 10_000 });
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent 1001 talking");
  const second = await divertedCall(f, t, "4711", "5612", { hangup: "remote", byeTimeoutMs: 10_000 });
  await phone.waitForInvite(2, 6000);
  await eventually(() => (ofEvent(f, "call.established").length === 2 ? true : undefined), 5000, "the second call answered");
  t.deepEqual(ofEvent(f, "call.established").map((e) => (e.data.caller as { number: string }).number), ["5611", "5612"]);
  t.is(ofEvent(f, "dispatch.queued").length, 0, "never in the dispatch queue");
  t.true((await first.done).received.byeFromRemote);
  t.true((await second.done).received.byeFromRemote);
  await allPortsFree(f);
});

test("without dispatch: after the maximum wait for the busy agent the call is deflected to its default destination", async (t) => {
  const f = await fixture(t, { maxWaitPersonal: "1500ms" });
  const phone = await agentPhone(f, t, "1001", { hangupAfterMs: 5000 });
  const ownDefault = await agentPhone(f, t, "5001", { ringMs: 100 });
  await addAgent(f, "1001", "4711", { dispatch: false, defaultDestination: "5001" });
  await logOn(f, "1001", "1001");
  const first = await divertedCall(f, t, "4711", "5621", { hangup: "remote", byeTimeoutMs: 10_000 });
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent 1001 talking");
  const arrived = performance.now();
  const second = await divertedCall(f, t, "4711", "5622", { holdAfterMs: 3500 }); // the bridge answers at once: 1.5 s wait, then 5001
  await ownDefault.waitForInvite(1, 5000);
  const deflected = await waitEvent(f, "dispatch.deflected");
  const waited = deflected.at - arrived;
  t.true(waited >= 1400 && waited < 3500, `deflected after the 1.5 s maximum wait (${Math.round(waited)} ms)`);
  t.like(deflected.data, { destination: "5001", logonId: "1001" });
  t.is(phone.invitesReceived().length, 1, "never sent to the busy agent");
  t.is(ofEvent(f, "dispatch.queued").length, 0, "not added to the dispatch queue");
  t.is((await second.done).exitCode, 0);
  await first.done;
  await allPortsFree(f);
});

test("without dispatch: the personal call rings for the Maximum Wait Time for Personal Call, then deflects; failing that, the dispatch queue", async (t) => {
  const f = await fixture(t, { maxWaitPersonal: "1s", ringTime: "4s" });
  const silent = await agentPhone(f, t, "1001", { answer: "none" });
  await addAgent(f, "1001", "4711", { dispatch: false, defaultDestination: "5002" }); // 5002 unregistered, no system default
  await logOn(f, "1001", "1001");
  const caller = await divertedCall(f, t, "4711", "5631", { holdAfterMs: 3000 });
  await silent.waitForInvite(1);
  const failed = await waitEvent(f, "call.offerFailed");
  const ringMs = failed.at - ofEvent(f, "call.delivered")[0]!.at;
  t.true(ringMs >= 900 && ringMs < 1600, `rang for the 1 s maximum wait, not the 4 s ring time (${Math.round(ringMs)} ms)`);
  const queued = await waitEvent(f, "dispatch.queued");
  t.like(queued.data, { reason: "noAnswer", availability: "general", logonId: "1001" });
  t.is((await caller.done).exitCode, 0);
  await allPortsFree(f);
});

/** A call to BVD 3100 whose To names the personal number (the Request-URI retargeted, To kept). */
async function callWithTo(f: DaemonFixture, t: TeardownContext, pdn: string, from: string): Promise<SippProcess> {
  const dir = testTempDir(t, `call-to-${pdn}`);
  const name = `call-${from}-to-${pdn}`;
  const xml = renderCallScenario({ dialed: "3100", from, hangup: "local", holdAfterMs: 800 }, dir.path, name);
  const invite = xml.indexOf("To: <sip:3100@");
  if (invite < 0) throw new Error("no To line in the caller scenario");
  const retargeted = xml.slice(0, invite) + `To: <sip:${pdn}@` + xml.slice(invite + "To: <sip:3100@".length);
  return runSipp([`127.0.0.1:${f.kamailio.port}`, "-s", "3100", "-m", "1", "-l", "1", "-timeout", "30s", "-timeout_error"], retargeted, { name, dir, t, timeoutMs: 35_000 });
}
