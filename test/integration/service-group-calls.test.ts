// Callers reach agents: real Kamailio, SIPp callers dialing the service BVD, SIPp phones registered as the agents'
// extensions, test sockets standing in for both sides' RTP. Each test reads what happened on the wire, on the bus,
// on the WebSocket, in the database and in the media port pool.
import test from "ava";
import { startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { eventually } from "./daemon-fixture.js";
import { EventClient } from "../api/event-client.js";
import { ALAW_TO_ULAW, ULAW_TO_ALAW } from "../../ivr/media/g711.js";
import { SALES, acdFixture, agentPhone, agentState, allPortsFree, bridgePortTowardsCaller, logOn, names, sdpPort } from "./acd-fixture.js";

test("a caller is offered to the longest-idle agent, talks through the bridge with RTP both ways, and leaves a CDR; events on the WebSocket", async (t) => {
  const f = await acdFixture(t);
  const callerSink = await startRtpSink({ t });
  const sink1 = await startRtpSink({ t });
  const sink2 = await startRtpSink({ t });
  const phone1 = await agentPhone(f, t, "1001", { sink: sink1 });
  const phone2 = await agentPhone(f, t, "1002", { sink: sink2, ringMs: 300, hangupAfterMs: 2500 });
  await logOn(f, "1002", "1002");
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1001", "1001"); // 1002 has been idle longer
  const ws = await EventClient.connect(`${f.httpUrl.replace("http", "ws")}/events?events=call.*`);
  t.teardown(() => ws.close());

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port, hangup: "remote", byeTimeoutMs: 20_000, t });
  const invite = await phone2.waitForInvite(1);
  t.regex(invite.text, /^From: .*<sip:5551@/m, "the agent's phone shows the caller's number");
  t.regex(invite.text, /^P-Asserted-Identity: .*<sip:5551@/m);
  t.regex(invite.text, /^X-CTI-Call-Id: \S+/m);
  t.regex(invite.text, /^X-CTI-Service-Group: Sales$/m);
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "agent 1002 talking");
  t.is(agentState(f, "1001"), "idleReady");

  // Audio both ways: the caller sends µ-law 0x11 bytes, the agent 0x22 bytes; each arrives at the other side.
  const towardsCaller = await bridgePortTowardsCaller(caller);
  const towardsAgent = sdpPort(invite.text);
  await Promise.all([
    callerSink.talk(towardsCaller, { payloadType: 0, fill: 0x11, count: 40 }),
    sink2.talk(towardsAgent, { payloadType: 0, fill: 0x22, count: 40 }),
  ]);
  await eventually(() => (sink2.payloads(0).filter((p) => p.every((b) => b === 0x11)).length >= 36 ? true : undefined), 2000, "caller audio at the agent");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((b) => b === 0x22)).length >= 36 ? true : undefined), 2000, "agent audio at the caller");
  t.is(sink1.packetCount(), 0, "the other agent heard nothing");

  const result = await caller.done;
  t.true(result.received.byeFromRemote, "the agent hung up, and the bridge cleared the caller's leg");
  await eventually(() => (agentState(f, "1002") === "idleReady" ? true : undefined), 3000, "agent 1002 idle again");
  await allPortsFree(f);
  t.deepEqual(names(f.events), ["call.queued", "call.delivered", "call.established", "call.cleared"]);
  const established = f.events.find((e) => e.event === "call.established")!.data;
  t.like(established, { logonId: "1002", extension: "1002", serviceGroup: "Sales", serviceAccess: "sales-line", dialed: "3000", caller: { number: "5551" } });
  t.true("recordingUri" in established, "established carries the recordingUri field");
  t.like(f.events.find((e) => e.event === "call.cleared")!.data, { releasedBy: "agent" });
  await ws.waitFor(4);
  t.deepEqual(ws.messages.map((m) => m.event), ["call.queued", "call.delivered", "call.established", "call.cleared"]);

  const callId = established.callId as string;
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1002", serviceGroup: "Sales", callerNumber: "5551", offers: 1, releasedBy: "agent" });
  t.true(cdr.talkMs >= 2000);
  t.is(phone1.invitesReceived().length, 0);
});

test("ring time supervision: no answer → CANCEL, the agent is forced not ready, the call goes to the next agent at its place", async (t) => {
  const f = await acdFixture(t);
  const silent = await agentPhone(f, t, "1001", { answer: "none" });
  const answering = await agentPhone(f, t, "1002", { ringMs: 200 });
  await logOn(f, "1001", "1001"); // longest idle: offered first
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1002", "1002");

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5552", hangup: "local", holdAfterMs: 4000, t });
  await silent.waitForInvite(1);
  const cancel = await silent.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the silent phone", 5000);
  t.truthy(cancel);
  await answering.waitForInvite(1, 5000);
  t.like(f.daemon.agents.get("1001"), { state: "idleNotReady", notReadyReason: "no answer" });
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "agent 1002 talking");
  const failed = f.events.find((e) => e.event === "call.offerFailed")!;
  const delivered = f.events.filter((e) => e.event === "call.delivered");
  t.like(failed.data, { logonId: "1001", reason: "noAnswer" });
  const ringMs = failed.at - delivered[0]!.at;
  t.true(ringMs >= 1900 && ringMs < 2600, `offer given up after the 2 s ring time (${Math.round(ringMs)} ms)`);
  t.like(f.events.filter((e) => e.event === "call.queued")[1]?.data, { requeued: true, position: 1 });
  t.deepEqual(delivered.map((e) => e.data.logonId), ["1001", "1002"]);

  await caller.done;
  await eventually(() => (agentState(f, "1002") === "idleReady" ? true : undefined), 3000, "agent 1002 idle again");
  await allPortsFree(f);
});

test("a busy agent is forced not ready and the caller is offered to the next agent", async (t) => {
  const f = await acdFixture(t);
  await agentPhone(f, t, "1001", { answer: "busy" });
  const answering = await agentPhone(f, t, "1002");
  await logOn(f, "1001", "1001");
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1002", "1002");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5553", hangup: "local", holdAfterMs: 1500, t });
  await answering.waitForInvite(1, 5000);
  t.like(f.events.find((e) => e.event === "call.offerFailed")?.data, { logonId: "1001", reason: "busy", sipStatus: 486 });
  t.like(f.daemon.agents.get("1001"), { state: "idleNotReady", notReadyReason: "busy" });
  await caller.done;
  await allPortsFree(f);
});

test("the caller hangs up while the agent's phone rings: the phone is cancelled at once and the agent is ready again", async (t) => {
  const f = await acdFixture(t);
  const phone = await agentPhone(f, t, "1001", { answer: "none" });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5554", hangup: "local", holdAfterMs: 800, t });
  await phone.waitForInvite(1);
  await caller.done;
  const bye = f.events.find((e) => e.event === "call.abandoned");
  t.like(bye?.data, { stage: "ringing", logonId: "1001" });
  await phone.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the phone", 1000);
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 2000, "agent ready again");
  t.is(f.events.filter((e) => e.event === "call.offerFailed").length, 0, "the agent did nothing wrong");
  await allPortsFree(f);
  const callId = bye!.data.callId as string;
  const cdr = await eventually(() => f.daemon.store.callDetails.get(-1, callId), 3000, "the CDR row");
  t.like(cdr, { outcome: "abandoned", logonId: "1001", releasedBy: "caller" });
});

test("a PCMU caller and a PCMA-only phone: the bridge transcodes both ways", async (t) => {
  const f = await acdFixture(t);
  const callerSink = await startRtpSink({ t });
  const agentSink = await startRtpSink({ t });
  const phone = await agentPhone(f, t, "1001", { sink: agentSink, payloads: [8], hangupAfterMs: 2000 });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5555", sdpMediaPort: callerSink.port, sdpPayloads: [0], hangup: "remote", byeTimeoutMs: 20_000, t });
  const invite = await phone.waitForInvite(1);
  t.regex(invite.text, /^m=audio \d+ RTP\/AVP 0 8 101/m, "the agent leg offers the caller's codec first");
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x11, count: 30 }),
    agentSink.talk(sdpPort(invite.text), { payloadType: 8, fill: 0x22, count: 30 }),
  ]);
  const alaw = ULAW_TO_ALAW[0x11]!;
  const ulaw = ALAW_TO_ULAW[0x22]!;
  await eventually(() => (agentSink.payloads(8).filter((p) => p.every((b) => b === alaw)).length >= 25 ? true : undefined), 2000, "A-law at the phone");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((b) => b === ulaw)).length >= 25 ? true : undefined), 2000, "µ-law at the caller");
  t.is(agentSink.payloads(0).length, 0, "nothing but A-law reaches the A-law phone");
  await caller.done;
  await allPortsFree(f);
});

test("a closed group (no agent logged on) plays the closed prompt and hangs up; agents in several groups get the oldest call first, within 50 ms of becoming ready", async (t) => {
  const f = await acdFixture(t);
  const closed = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5556", hangup: "remote", byeTimeoutMs: 15_000, t });
  const closedResult = await closed.done;
  t.true(closedResult.received.byeFromRemote);
  t.like(f.events.find((e) => e.event === "call.overflowed")?.data, { reason: "closed", destination: "prompt:queue-closed" });

  // 1001 serves Sales and Support; a caller waits in Support, then a later one in Sales.
  const phone = await agentPhone(f, t, "1001", { ringMs: 100, hangupAfterMs: 500 });
  await logOn(f, "1001", "1001");
  await fetch(`${f.httpUrl}/agents/1001/notready`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "lunch" }) });
  const older = await startCall({ proxyPort: f.kamailio.port, dialed: "3001", from: "5557", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.some((e) => e.event === "call.queued" && e.data.serviceGroup === "Support") ? true : undefined), 3000, "the Support call queued");
  await new Promise((r) => setTimeout(r, 100));
  const younger = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5558", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.filter((e) => e.event === "call.queued").length >= 2 ? true : undefined), 3000, "both calls queued");
  t.deepEqual((await f.getJson<{ id: string; waiting: number; open: boolean }[]>("/service-groups")).body.map((g) => [g.id, g.waiting, g.open]), [["Sales", 1, true], ["Support", 1, true]]);
  t.is((await f.getJson<unknown[]>("/calls")).body.length, 2);

  await fetch(`${f.httpUrl}/agents/1001/ready`, { method: "POST" });
  const invite = await phone.waitForInvite(1);
  t.regex(invite.text, /^From: .*<sip:5557@/m, "the older call, although in the other group");
  const ready = f.events.find((e) => e.event === "agent.stateChanged" && e.data.to === "idleReady" && e.data.from === "idleNotReady")!;
  const delivered = f.events.find((e) => e.event === "call.delivered")!;
  t.true(delivered.at - ready.at < 50, `offered ${Math.round(delivered.at - ready.at)} ms after becoming ready`);
  await older.done;
  const second = await phone.waitForInvite(2, 10_000);
  t.regex(second.text, /^From: .*<sip:5558@/m);
  await younger.done;
  await allPortsFree(f);
});

test("clerical time after the call, then idle; the caller hanging up clears the agent's leg", async (t) => {
  const f = await acdFixture(t, SALES.replace("    ringTime: 2s\n    music: music-on-hold", "    ringTime: 2s\n    clericalTime: 1s\n    music: music-on-hold"));
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5559", hangup: "local", holdAfterMs: 1500, t });
  await phone.waitForInvite(1);
  await caller.done;
  await phone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE at the agent's phone", 2000);
  await eventually(() => (agentState(f, "1001") === "clerical" ? true : undefined), 2000, "agent in clerical");
  const cleared = f.events.find((e) => e.event === "call.cleared")!;
  t.like(cleared.data, { releasedBy: "caller" });
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle after wrap-up");
  const idle = f.events.filter((e) => e.event === "agent.stateChanged" && e.data.from === "clerical").at(-1)!;
  const clericalStart = f.events.find((e) => e.event === "agent.stateChanged" && e.data.to === "clerical")!;
  t.true(idle.at - clericalStart.at >= 950, "wrap-up lasted the group's clerical time");
  await allPortsFree(f);
});

test("a caller offering session timers (as Asterisk does) gets a 200 OK that claims none, and the call is not cut", async (t) => {
  const f = await acdFixture(t);
  await agentPhone(f, t, "1001", { hangupAfterMs: 1500 });
  await logOn(f, "1001", "1001");
  const caller = await startCall({
    proxyPort: f.kamailio.port, dialed: "3000", from: "5560", hangup: "remote", byeTimeoutMs: 15_000,
    headers: ["Session-Expires: 90;refresher=uac", "Min-SE: 90", "Supported: 100rel, timer, replaces"], t,
  });
  const ok = await caller.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK to the caller");
  t.notRegex(ok.text, /^Session-Expires:/im);
  t.notRegex(ok.text, /^Require:.*timer/im);
  t.false(/^Supported:.*\btimer\b/im.test(ok.text), "the bridge never says it supports session timers");
  t.true((await caller.done).received.byeFromRemote, "the call ended when the agent hung up");
  await allPortsFree(f);
});
