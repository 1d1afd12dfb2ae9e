// Attendant transfers (manual: "Attendant Agent Advanced Configuration"), through real peers: SIPp callers dial the
// attendant group's BVD through Kamailio, SIPp phones are the attendants and the transfer targets, and the attendant
// transfers with POST /calls/{callId}/transfer (the Agent application's Transfer). One test per rule, short timers.
import test from "ava";
import { registeredPhone, startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { eventually, type DaemonFixture } from "./daemon-fixture.js";
import { agentPhone, agentState, allPortsFree, bridgePortTowardsCaller, logOn, sdpPort, type Recorded } from "./acd-fixture.js";
import { transferFixture } from "./transfer-phone.js";
import type { TeardownContext } from "../harness/teardown-context.js";

const BVDS = "  - { number: 3200, kind: serviceAccess, serviceAccess: reception-line }";
const reception = (attendant: string) => `
serviceAccesses:
  - { id: reception-line, serviceGroup: Reception }
serviceGroups:
  - id: Reception
    agents: "*"
    ringTime: 3s
    attendant: true
attendant:
${attendant}
`;

type F = DaemonFixture & { events: Recorded[] };

async function fixture(t: TeardownContext, attendant: string): Promise<F> {
  return transferFixture(t, reception(attendant), BVDS);
}

/** The conversation of the caller with this number, once an agent answered it. */
const establishedFor = (f: F, caller: string) =>
  eventually(() => f.events.find((e) => e.event === "call.established" && (e.data.caller as { number: string }).number === caller), 5000, `${caller} talking to an attendant`);

async function transfer(f: F, callId: string, to: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${f.httpUrl}/calls/${encodeURIComponent(callId)}/transfer`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const recalled = (f: F, callId: string) => eventually(() => f.events.find((e) => e.event === "call.recalled" && e.data.callId === callId), 8000, "call.recalled");

test("recall to the attendant when the target is busy", async (t) => {
  const f = await fixture(t, "  noAnswerTime: 5s");
  const attendant = await agentPhone(f, t, "1001");
  const target = await registeredPhone({ proxyPort: f.kamailio.port, user: "5555", answer: "busy", t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5591", hangup: "local", holdAfterMs: 5000, t });
  const { data } = await establishedFor(f, "5591");
  const callId = data.callId as string;

  const answer = await transfer(f, callId, "5555");
  t.is(answer.status, 202);
  t.like(answer.body, { callId, to: "5555", kind: "attendant", logonId: "1001" });
  await target.waitForInvite(1);
  t.like((await recalled(f, callId)).data, { logonId: "1001", to: "5555", reason: "busy", sipStatus: 486 });
  const recall = await attendant.waitForInvite(2, 5000);
  t.regex(recall.text, /^From: .*<sip:5591@/m, "the attendant's phone rings with the caller again");
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 3000, "the attendant talking to the caller again");
  await caller.done;
  await allPortsFree(f);
});

test("recall to the attendant when the target does not answer within the no-answer time (maintain queue on, the default)", async (t) => {
  const f = await fixture(t, "  noAnswerTime: 1500ms");
  const attendant = await agentPhone(f, t, "1001");
  const target = await registeredPhone({ proxyPort: f.kamailio.port, user: "5556", answer: "none", t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5592", hangup: "local", holdAfterMs: 6000, t });
  const callId = (await establishedFor(f, "5592")).data.callId as string;
  t.is((await transfer(f, callId, "5556")).status, 202);
  await target.waitForInvite(1);
  const transferred = f.events.find((e) => e.event === "call.transferred")!;
  t.like(transferred.data, { logonId: "1001", to: "5556", kind: "number", via: "api" });
  await target.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the target", 4000);
  const back = await recalled(f, callId);
  t.like(back.data, { reason: "noAnswer" });
  const waited = back.at - transferred.at;
  t.true(waited >= 1400 && waited < 2300, `recalled after the 1.5 s no-answer time (${Math.round(waited)} ms)`);
  await attendant.waitForInvite(2, 5000);
  await caller.done;
  await allPortsFree(f);
});

test("recall to the attendant when the number is invalid (404)", async (t) => {
  const f = await fixture(t, "  noAnswerTime: 5s");
  const attendant = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5593", hangup: "local", holdAfterMs: 4000, t });
  const callId = (await establishedFor(f, "5593")).data.callId as string;
  t.is((await transfer(f, callId, "5999")).status, 202);
  t.like((await recalled(f, callId)).data, { to: "5999", reason: "invalidNumber", sipStatus: 404 });
  await attendant.waitForInvite(2, 5000);
  await caller.done;
  await allPortsFree(f);
});

test("bypass diversion on a TAS call manager: the access code goes before the number; the caller talks to the target and the record names the attendant", async (t) => {
  const f = await fixture(t, '  bypassDiversionCode: "88"\n  noAnswerTime: 5s');
  const callerSink = await startRtpSink({ t });
  const targetSink = await startRtpSink({ t });
  await agentPhone(f, t, "1001");
  // The call manager sees "88" + "1009": a phone registered under that number stands for the target with diversion bypassed.
  const target = await registeredPhone({ proxyPort: f.kamailio.port, user: "881009", answer: "auto", hangupAfterMs: 2000, sdpMediaPort: targetSink.port, t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5594", sdpMediaPort: callerSink.port, hangup: "remote", byeTimeoutMs: 15_000, t });
  const callId = (await establishedFor(f, "5594")).data.callId as string;
  t.is((await transfer(f, callId, "1009")).status, 202);
  const invite = await target.waitForInvite(1);
  t.regex(invite.text, /^INVITE sip:881009@/m, "Request-URI: bypass code + number");
  t.regex(invite.text, /^From: .*<sip:5594@/m, "with the caller's identity");
  t.regex(invite.text, /^X-CTI-Service-Group: Reception$/m);
  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x11, count: 30 }),
    targetSink.talk(sdpPort(invite.text), { payloadType: 0, fill: 0x22, count: 30 }),
  ]);
  await eventually(() => (targetSink.payloads(0).filter((p) => p.every((b) => b === 0x11)).length >= 20 ? true : undefined), 3000, "caller audio at the target");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((b) => b === 0x22)).length >= 20 ? true : undefined), 3000, "target audio at the caller");
  t.true((await caller.done).received.byeFromRemote, "the target hung up, the bridge cleared the caller");
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { logonId: "1001", releasedBy: "agent" });
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1001", serviceGroup: "Reception" });
  t.is(f.events.filter((e) => e.event === "call.recalled").length, 0);
  await allPortsFree(f);
});

test("do not transfer to busy destination: a second transfer to a number the bridge is connected to waits until that call is over", async (t) => {
  const f = await fixture(t, "  doNotTransferToBusy: true\n  noAnswerTime: 8s");
  await agentPhone(f, t, "1001");
  const target = await registeredPhone({ proxyPort: f.kamailio.port, user: "5557", answer: "auto", hangupAfterMs: 2000, t });
  await logOn(f, "1001", "1001");
  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5595", hangup: "remote", byeTimeoutMs: 15_000, t });
  const firstId = (await establishedFor(f, "5595")).data.callId as string;
  t.is((await transfer(f, firstId, "5557")).status, 202);
  await target.waitForInvite(1);

  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5596", hangup: "remote", byeTimeoutMs: 15_000, t });
  const secondId = (await establishedFor(f, "5596")).data.callId as string;
  t.is((await transfer(f, secondId, "5557")).status, 202);
  const requested = performance.now();
  await new Promise((r) => setTimeout(r, 700));
  t.is(target.invitesReceived().length, 1, "the target is busy with the first caller: the second transfer waits");
  await target.waitForInvite(2, 6000);
  const firstCleared = f.events.find((e) => e.event === "call.cleared" && e.data.callId === firstId);
  t.truthy(firstCleared, "placed only once the first conversation was over");
  t.true(performance.now() - requested >= 1000, "it waited");
  t.true((await first.done).received.byeFromRemote);
  t.true((await second.done).received.byeFromRemote);
  t.is(f.events.filter((e) => e.event === "call.recalled").length, 0);
  await allPortsFree(f);
});

test("force transfer order: after a recall, the recalled call keeps its turn at the target for pendingAgentTransferDelay before another transfer there is placed", async (t) => {
  const f = await fixture(t, "  forceTransferOrder: true\n  pendingAgentTransferDelay: 1s\n  noAnswerTime: 2500ms");
  const attendant1 = await agentPhone(f, t, "1001");
  await agentPhone(f, t, "1002");
  const target = await registeredPhone({ proxyPort: f.kamailio.port, user: "5558", answer: "none", t });
  await logOn(f, "1001", "1001");
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1002", "1002");
  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5597", hangup: "local", holdAfterMs: 9000, t });
  const firstEst = await establishedFor(f, "5597");
  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5598", hangup: "local", holdAfterMs: 9000, t });
  const secondEst = await establishedFor(f, "5598");
  t.not(firstEst.data.logonId, secondEst.data.logonId);

  t.is((await transfer(f, firstEst.data.callId as string, "5558")).status, 202);
  await target.waitForInvite(1);
  const back = await recalled(f, firstEst.data.callId as string);
  t.like(back.data, { reason: "noAnswer" });
  t.is((await transfer(f, secondEst.data.callId as string, "5558")).status, 202);
  await target.waitForInvite(2, 4000);
  const held = performance.now() - back.at;
  t.true(held >= 900, `the second transfer was placed ${Math.round(held)} ms after the first call's recall (pendingAgentTransferDelay 1 s)`);
  t.true(held < 2000, `and not much later (${Math.round(held)} ms)`);
  await attendant1.waitForInvite(2, 3000);
  await first.done;
  await second.done;
  await allPortsFree(f);
});

test("exception list: a target on it is called without maintain queue — no recall for no answer, but a busy target still recalls", async (t) => {
  const f = await fixture(t, '  exceptionList: ["5560", "5561"]\n  noAnswerTime: 1s');
  const attendant = await agentPhone(f, t, "1001");
  const hunt = await registeredPhone({ proxyPort: f.kamailio.port, user: "5560", answer: "none", t });
  await registeredPhone({ proxyPort: f.kamailio.port, user: "5561", answer: "busy", t });
  await logOn(f, "1001", "1001");
  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5599", hangup: "local", holdAfterMs: 3500, t });
  const firstId = (await establishedFor(f, "5599")).data.callId as string;
  t.is((await transfer(f, firstId, "5560")).status, 202);
  await hunt.waitForInvite(1);
  await new Promise((r) => setTimeout(r, 2000)); // twice the no-answer time
  t.is(f.events.filter((e) => e.event === "call.recalled").length, 0, "no recall for no answer");
  t.false(hunt.parsedMessages().some((m) => m.direction === "received" && m.method === "CANCEL"), "still ringing");
  await first.done;
  await hunt.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL once the caller hung up", 3000);

  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "3200", from: "5600", hangup: "local", holdAfterMs: 3000, t });
  const secondId = (await eventually(() => f.events.filter((e) => e.event === "call.established").find((e) => e.data.callId !== firstId), 5000, "the second caller answered")).data.callId as string;
  t.is((await transfer(f, secondId, "5561")).status, 202);
  t.like((await recalled(f, secondId)).data, { reason: "busy", to: "5561" });
  await attendant.waitForInvite(3, 4000);
  await second.done;
  await allPortsFree(f);
});
