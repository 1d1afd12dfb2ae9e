// Attended transfer of a service group call (manual: "Transfer of Service Group Voice Calls": "after it is answered by
// the target agent"), through real peers: a SIPp caller dialing the service BVD through Kamailio, agent A's phone
// (SIPp) in the bridge's call consulting agent B with its own call through Kamailio, then REFER with Replaces; B's
// phone (SIPp) checks that the bridge's INVITE replaces exactly its consultation dialog. RTP through test sockets.
import test from "ava";
import { startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { eventually } from "./daemon-fixture.js";
import { agentPhone, agentState, allPortsFree, bridgePortTowardsCaller, logOn, sdpPort } from "./acd-fixture.js";
import { transferFixture } from "./transfer-phone.js";
import { consultationCall, consultedPhone, transferringAgentPhone, type ConsultationDialog } from "./consulting-phones.js";

const GROUPS = `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 2s
    clericalTime: 0s
`;
const BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }`;

let consultations = 0;
const consultation = (): ConsultationDialog => ({ callId: `consult-${process.pid}-${++consultations}-x@127.0.0.1`, fromTag: `a-consult-${consultations}`, toTag: `b-consult-${consultations}` });

test("REFER with Replaces after A consulted B: B's INVITE replaces the consultation dialog and carries the caller and X-CTI headers, A gets NOTIFY 200 and is released, the caller talks to B, the call stays a service group call on B", async (t) => {
  const f = await transferFixture(t, GROUPS, BVDS);
  const callerSink = await startRtpSink({ t });
  const bSink = await startRtpSink({ t });
  const dialog = consultation();
  const a = await transferringAgentPhone({ t, proxyPort: f.kamailio.port, extension: "1001", referTo: "1002", replaces: dialog, referAfterMs: 1500 });
  const b = await consultedPhone({ t, proxyPort: f.kamailio.port, extension: "1002", consultationTag: dialog.toTag, sdpMediaPort: bSink.port });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  await f.daemon.phoneAgents.setNotReady("1002", "consulting"); // the caller goes to A; B is idle (not ready)

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port, hangup: "local", holdAfterMs: 5000, t });
  await a.waitForMessage((m) => m.direction === "received" && m.method === "ACK", "A answered the bridge's call", 5000);
  const consult = await consultationCall({ t, proxyPort: f.kamailio.port, from: "1001", to: "1002", dialog });
  await consult.waitForMessage((m) => m.direction === "sent" && m.method === "ACK", "the consultation call answered by B", 3000);
  t.is(f.daemon.distributor.calls().length, 1, "the consultation call did not pass through the bridge");

  const replacing = await b.waitForInvite(2, 5000);
  t.is(/^Replaces: (.*)$/m.exec(replacing.text)?.[1], `${dialog.callId};to-tag=${dialog.toTag};from-tag=${dialog.fromTag}`, "the consultation dialog, tags as B sees them");
  t.regex(replacing.text, /^From: .*<sip:5551@/m, "the caller's identity");
  t.regex(replacing.text, /^P-Asserted-Identity: .*<sip:5551@/m);
  t.regex(replacing.text, /^X-CTI-Service-Group: Sales$/m);
  t.regex(replacing.text, /^Referred-By: <sip:1001@/m);
  await consult.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "B ended the consultation dialog", 3000);
  t.is((await consult.done).exitCode, 0, "the consultation call ended cleanly");
  t.true(b.parsedMessages().some((m) => m.direction === "sent" && m.status === 200 && m.cseqMethod === "INVITE" && m.callId === replacing.callId), "B accepted the INVITE with Replaces");

  await a.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the bridge's BYE to A", 5000);
  t.deepEqual(a.notifyStatusLines(), ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 3000, "B talking");
  t.is(agentState(f, "1001"), "idleReady", "A in its after-call state (no clerical time: idle)");
  t.like(f.daemon.distributor.calls()[0], { state: "talking", logonId: "1002", serviceGroup: "Sales" });

  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x11, count: 40 }),
    bSink.talk(sdpPort(replacing.text), { payloadType: 0, fill: 0x22, count: 40 }),
  ]);
  await eventually(() => (bSink.payloads(0).filter((p) => p.every((x) => x === 0x11)).length >= 30 ? true : undefined), 3000, "caller audio at B");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((x) => x === 0x22)).length >= 30 ? true : undefined), 3000, "B's audio at the caller");

  await caller.done;
  await b.waitForMessage((m) => m.direction === "received" && m.method === "BYE" && m.callId === replacing.callId, "the bridge's BYE to B when the caller hung up", 3000);
  const transferred = f.events.filter((e) => e.event === "call.transferred");
  t.is(transferred.length, 1);
  t.like(transferred[0]!.data, { logonId: "1001", to: "1002", toLogonId: "1002", kind: "agent", via: "refer", attended: true, serviceGroup: "Sales" });
  const names = f.events.filter((e) => ["call.transferred", "call.established", "call.cleared"].includes(e.event)).map((e) => `${e.event}:${String(e.data.logonId)}`);
  t.deepEqual(names, ["call.established:1001", "call.transferred:1001", "call.established:1002", "call.cleared:1002"]);
  t.like(f.events.find((e) => e.event === "call.cleared")!.data, { releasedBy: "caller" });
  const callId = transferred[0]!.data.callId as string;
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1002", serviceGroup: "Sales", offers: 1, releasedBy: "caller" });
  t.true(cdr.talkMs >= 4000, `talk time of A and B (${cdr.talkMs} ms)`);
  await allPortsFree(f);
});

test("B's phone rejects the INVITE with Replaces (481: not its dialog): A gets NOTIFY 481, keeps the caller and the conversation goes on; B stays idle", async (t) => {
  const f = await transferFixture(t, GROUPS, BVDS);
  const callerSink = await startRtpSink({ t });
  const aSink = await startRtpSink({ t });
  const dialog = consultation();
  // A names a dialog B does not have (a stale to-tag), as after B had already hung up the consultation.
  const a = await transferringAgentPhone({ t, proxyPort: f.kamailio.port, extension: "1001", referTo: "1002", replaces: { ...dialog, toTag: "gone" }, referAfterMs: 1500, sdpMediaPort: aSink.port });
  const b = await consultedPhone({ t, proxyPort: f.kamailio.port, extension: "1002", consultationTag: dialog.toTag });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  await f.daemon.phoneAgents.setNotReady("1002", "consulting");

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5552", sdpMediaPort: callerSink.port, hangup: "local", holdAfterMs: 4500, t });
  const answered = await a.waitForMessage((m) => m.direction === "received" && m.method === "INVITE", "the bridge's call to A", 5000);
  await a.waitForMessage((m) => m.direction === "received" && m.method === "ACK", "A answered", 5000);
  await consultationCall({ t, proxyPort: f.kamailio.port, from: "1001", to: "1002", dialog });
  const replacing = await b.waitForInvite(2, 5000);
  t.regex(replacing.text, /^Replaces: .*;to-tag=gone;/m);
  await b.waitForMessage((m) => m.direction === "sent" && m.status === 481, "B's 481", 3000);
  await eventually(() => (a.notifyStatusLines().length === 2 ? true : undefined), 3000, "the final NOTIFY at A");
  t.deepEqual(a.notifyStatusLines(), ["SIP/2.0 100 Trying", "SIP/2.0 481 Call/Transaction Does Not Exist"]);
  t.is(agentState(f, "1001"), "talking", "A keeps the caller");
  t.is(agentState(f, "1002"), "idleNotReady", "B back to the state it had");
  t.is(f.daemon.agents.get("1002")?.notReadyReason, "consulting");

  // The conversation with A goes on: audio both ways.
  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x33, count: 30 }),
    aSink.talk(sdpPort(answered.text), { payloadType: 0, fill: 0x44, count: 30 }),
  ]);
  await eventually(() => (aSink.payloads(0).filter((p) => p.every((x) => x === 0x33)).length >= 20 ? true : undefined), 3000, "caller audio at A");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((x) => x === 0x44)).length >= 20 ? true : undefined), 3000, "A's audio at the caller");

  await caller.done;
  await a.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the bridge's BYE to A when the caller hung up", 3000);
  t.is(f.events.filter((e) => e.event === "call.transferred").length, 0);
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { logonId: "1001", releasedBy: "caller" });
  const callId = f.events.find((e) => e.event === "call.cleared")!.data.callId as string;
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1001" });
  await allPortsFree(f);
});

test("the consulted number is not an agent: the caller is connected to it (a number transfer, attended), the call's record keeps A", async (t) => {
  const f = await transferFixture(t, GROUPS, BVDS);
  const callerSink = await startRtpSink({ t });
  const otherSink = await startRtpSink({ t });
  const dialog = consultation();
  const a = await transferringAgentPhone({ t, proxyPort: f.kamailio.port, extension: "1001", referTo: "1009", replaces: dialog, referAfterMs: 1500 });
  const other = await consultedPhone({ t, proxyPort: f.kamailio.port, extension: "1009", consultationTag: dialog.toTag, sdpMediaPort: otherSink.port });
  await logOn(f, "1001", "1001");

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5553", sdpMediaPort: callerSink.port, hangup: "local", holdAfterMs: 4500, t });
  await a.waitForMessage((m) => m.direction === "received" && m.method === "ACK", "A answered", 5000);
  const consult = await consultationCall({ t, proxyPort: f.kamailio.port, from: "1001", to: "1009", dialog });
  const replacing = await other.waitForInvite(2, 5000);
  t.is(/^Replaces: (.*)$/m.exec(replacing.text)?.[1], `${dialog.callId};to-tag=${dialog.toTag};from-tag=${dialog.fromTag}`);
  t.regex(replacing.text, /^From: .*<sip:5553@/m);
  t.regex(replacing.text, /^X-CTI-Service-Group: Sales$/m);
  await consult.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the consultation dialog ended by its phone", 3000);
  await a.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "A released", 5000);
  t.deepEqual(a.notifyStatusLines(), ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
  t.is(agentState(f, "1001"), "idleReady");

  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x55, count: 30 }),
    otherSink.talk(sdpPort(replacing.text), { payloadType: 0, fill: 0x66, count: 30 }),
  ]);
  await eventually(() => (otherSink.payloads(0).filter((p) => p.every((x) => x === 0x55)).length >= 20 ? true : undefined), 3000, "caller audio at the number");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((x) => x === 0x66)).length >= 20 ? true : undefined), 3000, "the number's audio at the caller");

  await caller.done;
  await other.waitForMessage((m) => m.direction === "received" && m.method === "BYE" && m.callId === replacing.callId, "the bridge's BYE to the number", 3000);
  t.like(f.events.find((e) => e.event === "call.transferred")?.data, { logonId: "1001", to: "1009", kind: "number", via: "refer", attended: true });
  t.is(f.events.filter((e) => e.event === "call.established").length, 1, "no agent took the call over");
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { logonId: "1001", releasedBy: "caller" });
  const callId = replacing.text.match(/^X-CTI-Call-Id: (.*)$/m)![1]!;
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1001", releasedBy: "caller" });
  await allPortsFree(f);
});

test("B is an agent on another call of the bridge: the REFER with Replaces is refused with 486, nothing is sent to B and A keeps the caller", async (t) => {
  const f = await transferFixture(t, GROUPS, BVDS);
  const dialog = consultation();
  const b = await agentPhone(f, t, "1002"); // answers the ACD's call and A's consultation alike
  const a = await transferringAgentPhone({ t, proxyPort: f.kamailio.port, extension: "1001", referTo: "1002", replaces: dialog, referAfterMs: 1200, expectReferStatus: 486 });
  await logOn(f, "1002", "1002"); // idle longest: takes the first caller
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1001", "1001");
  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5554", hangup: "local", holdAfterMs: 3500, t });
  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "B talking to the first caller");
  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5555", hangup: "local", holdAfterMs: 3000, t });
  await a.waitForMessage((m) => m.direction === "received" && m.method === "ACK", "A answered the second caller", 5000);
  await consultationCall({ t, proxyPort: f.kamailio.port, from: "1001", to: "1002", dialog });
  await a.waitForMessage((m) => m.direction === "received" && m.status === 486 && m.cseqMethod === "REFER", "486 to the REFER", 5000);
  t.is(agentState(f, "1001"), "talking", "A keeps the caller");
  t.is(agentState(f, "1002"), "talking", "B still on its own call");
  await second.done;
  await a.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE to A when its caller hung up", 3000);
  await first.done;
  t.false(b.parsedMessages().some((m) => m.direction === "received" && m.method === "INVITE" && /^Replaces:/m.test(m.text)), "no INVITE with Replaces");
  t.is(f.events.filter((e) => e.event === "call.transferred").length, 0);
  t.deepEqual(f.events.filter((e) => e.event === "call.cleared").map((e) => e.data.logonId).sort(), ["1001", "1002"]);
  await allPortsFree(f);
});
