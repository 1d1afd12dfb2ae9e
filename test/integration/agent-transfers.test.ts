// Transfer of service group voice calls (manual: "Transfer of Service Group Voice Calls"), through real peers: SIPp
// callers dialing the service BVD through Kamailio, SIPp phones as the agents (one of them sends the REFER a desk
// phone's Transfer key sends), test sockets for the RTP. The manual's rules, one test each.
import test from "ava";
import { startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { eventually } from "./daemon-fixture.js";
import { agentPhone, agentState, allPortsFree, bridgePortTowardsCaller, logOn, sdpPort } from "./acd-fixture.js";
import { transferFixture as acdFixture, transferringPhone } from "./transfer-phone.js";

const GROUPS = (clericalTime = "0s") => `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
  - { id: support-line, serviceGroup: Support }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 2s
    clericalTime: ${clericalTime}
  - id: Support
    agents: ["1002"]
    ringTime: 2s
`;
const BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }
  - { number: 3001, kind: serviceAccess, serviceAccess: support-line }`;

test("a REFER from the agent's phone: 202 and NOTIFYs 100/200, the call is offered to the target agent as the same service group call, audio flows caller ↔ target, the CDR names the last agent", async (t) => {
  const f = await acdFixture(t, GROUPS(), BVDS);
  const callerSink = await startRtpSink({ t });
  const targetSink = await startRtpSink({ t });
  const transferor = await transferringPhone({ proxyPort: f.kamailio.port, extension: "1001", referTo: "1002", talkMs: 600, t });
  const target = await agentPhone(f, t, "1002", { sink: targetSink, ringMs: 200, hangupAfterMs: 2500 });
  await logOn(f, "1001", "1001"); // idle longest: gets the call first
  await new Promise((r) => setTimeout(r, 20));
  await logOn(f, "1002", "1002");
  await f.daemon.phoneAgents.setNotReady("1002", "lunch"); // a transfer reaches an idle agent even when not ready

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port, hangup: "remote", byeTimeoutMs: 20_000, t });
  await transferor.waitForInvite(1);
  const invite = await target.waitForInvite(1, 8000);
  t.regex(invite.text, /^From: .*<sip:5551@/m, "the target's phone shows the caller");
  t.regex(invite.text, /^X-CTI-Service-Group: Sales$/m, "still a Sales call");
  await transferor.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the bridge's BYE to the transferring phone", 5000);
  t.deepEqual(transferor.notifyStatusLines(), ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
  const notify = transferor.parsedMessages().find((m) => m.method === "NOTIFY")!;
  t.regex(notify.text, /^Event: refer/im);
  t.regex(notify.text, /^Content-Type: message\/sipfrag/im);

  await eventually(() => (agentState(f, "1002") === "talking" ? true : undefined), 5000, "the target talking");
  t.is(agentState(f, "1001"), "idleReady", "the transferring agent is in its after-call state (no clerical time: idle)");
  await Promise.all([
    callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x11, count: 40 }),
    targetSink.talk(sdpPort(invite.text), { payloadType: 0, fill: 0x22, count: 40 }),
  ]);
  await eventually(() => (targetSink.payloads(0).filter((p) => p.every((b) => b === 0x11)).length >= 30 ? true : undefined), 3000, "caller audio at the target");
  await eventually(() => (callerSink.payloads(0).filter((p) => p.every((b) => b === 0x22)).length >= 30 ? true : undefined), 3000, "target audio at the caller");

  t.true((await caller.done).received.byeFromRemote, "the target hung up and the bridge cleared the caller");
  const transferred = f.events.find((e) => e.event === "call.transferred");
  t.like(transferred?.data, { logonId: "1001", to: "1002", toLogonId: "1002", kind: "agent", via: "refer", serviceGroup: "Sales" });
  const established = f.events.filter((e) => e.event === "call.established").map((e) => e.data.logonId);
  t.deepEqual(established, ["1001", "1002"]);
  const callId = transferred!.data.callId as string;
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { outcome: "answered", logonId: "1002", serviceGroup: "Sales", offers: 2, releasedBy: "agent" });
  t.true(cdr.talkMs >= 2500, `talk time of both agents (${cdr.talkMs} ms)`);
  t.true(cdr.alertingMs < 1000, `alerting at the first agent only (${cdr.alertingMs} ms)`);
  await allPortsFree(f);
});

test("the target agent does not answer within the ring time supervision: the call goes back to the queue at its original place and the target is forced not ready", async (t) => {
  const f = await acdFixture(t, GROUPS("10s"), BVDS);
  await transferringPhone({ proxyPort: f.kamailio.port, extension: "1001", referTo: "1002", talkMs: 300, t });
  const silent = await agentPhone(f, t, "1002", { answer: "none" });
  const next = await agentPhone(f, t, "1003", { hangupAfterMs: 500 });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  await logOn(f, "1003", "1003");
  await f.daemon.phoneAgents.setNotReady("1002", "lunch");
  await f.daemon.phoneAgents.setNotReady("1003", "lunch");

  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5561", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "1001 talking to the first caller");
  const later = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5562", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.filter((e) => e.event === "call.queued").length >= 2 ? true : undefined), 3000, "the later caller queued");

  await silent.waitForInvite(1, 5000);
  await silent.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the target after the ring time", 5000);
  await eventually(() => (agentState(f, "1002") === "idleNotReady" ? true : undefined), 2000, "target forced not ready");
  t.is(f.daemon.agents.get("1002")?.notReadyReason, "no answer");
  t.is(agentState(f, "1001"), "clerical", "the transferring agent went on to its wrap-up");
  const failed = f.events.find((e) => e.event === "call.offerFailed")!;
  const delivered = f.events.filter((e) => e.event === "call.delivered").at(-1)!;
  const ringMs = failed.at - delivered.at;
  t.true(ringMs >= 1900 && ringMs < 2700, `given up after the 2 s ring time (${Math.round(ringMs)} ms)`);
  const requeued = f.events.filter((e) => e.event === "call.queued").at(-1)!;
  t.like(requeued.data, { caller: { number: "5561" }, position: 1 }, "ahead of the caller who arrived later");
  const calls = (await f.getJson<{ caller: { number: string } }[]>("/calls")).body;
  t.deepEqual(calls.map((c) => c.caller.number), ["5561", "5562"]);

  await fetch(`${f.httpUrl}/agents/1003/ready`, { method: "POST" });
  const invite = await next.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5561@/m, "the transferred caller is served first");
  await first.done;
  await eventually(() => (agentState(f, "1003") === "clerical" ? true : undefined), 3000, "1003 in wrap-up");
  await fetch(`${f.httpUrl}/agents/1003/ready`, { method: "POST" }); // ends the wrap-up early
  const second = await next.waitForInvite(2, 5000);
  t.regex(second.text, /^From: .*<sip:5562@/m);
  await later.done;
  await allPortsFree(f);
});

test("Asterisk's hairpin: an INVITE marked with X-CTI-Transfer-Call-ID of an agent leg is rejected with 603, the agent leg is released and the caller moved to the dialed BVD's group", async (t) => {
  const f = await acdFixture(t, GROUPS(), BVDS);
  const agent = await agentPhone(f, t, "1001");
  const support = await agentPhone(f, t, "1002", { hangupAfterMs: 800 });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  await f.daemon.phoneAgents.setNotReady("1002", "busy elsewhere"); // ready only once the caller waits in Support
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5571", hangup: "remote", byeTimeoutMs: 20_000, t });
  const established = await eventually(() => f.events.find((e) => e.event === "call.established"), 5000, "the conversation with 1001");
  const agentCallId = established.data.agentCallId as string;

  // What Asterisk's [cti-xfer-mark] sends after agent 1001's phone transferred to BVD 3001.
  const hairpin = await startCall({
    proxyPort: f.kamailio.port, dialed: "3001", from: "5571", expectStatus: 603,
    headers: [`X-CTI-Transfer-Call-ID: ${agentCallId}`, "X-CTI-Transfer-Tags: local=abc;remote=def"], t,
  });
  t.is((await hairpin.done).received.finalStatus, 603);
  await agent.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE on the old agent leg", 3000);
  t.like(f.events.find((e) => e.event === "call.transferred")?.data, { logonId: "1001", to: "3001", kind: "serviceGroup", via: "hairpin" });
  t.like(f.events.filter((e) => e.event === "call.queued").at(-1)?.data, { serviceGroup: "Support", caller: { number: "5571" } });

  await fetch(`${f.httpUrl}/agents/1002/ready`, { method: "POST" });
  const invite = await support.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5571@/m);
  t.regex(invite.text, /^X-CTI-Service-Group: Support$/m);
  t.true((await caller.done).received.byeFromRemote);
  t.is(f.events.filter((e) => e.event === "call.established").length, 2, "no new call was made of the hairpin");
  await allPortsFree(f);
});

test("POST /calls/{callId}/transfer: a busy target agent is refused (409) and the conversation goes on; a call with no conversation is refused", async (t) => {
  const f = await acdFixture(t, GROUPS(), BVDS);
  await agentPhone(f, t, "1001", { hangupAfterMs: 2500 });
  await agentPhone(f, t, "1002", { hangupAfterMs: 2500 });
  await logOn(f, "1001", "1001");
  await logOn(f, "1002", "1002");
  const one = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5581", hangup: "remote", byeTimeoutMs: 20_000, t });
  const two = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5582", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.filter((e) => e.event === "call.established").length === 2 ? true : undefined), 5000, "both talking");
  const callId = f.events.find((e) => e.event === "call.established" && e.data.logonId === "1001")!.data.callId as string;
  const post = (id: string, to: string) =>
    fetch(`${f.httpUrl}/calls/${encodeURIComponent(id)}/transfer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to }) });
  const busy = await post(callId, "1002");
  t.is(busy.status, 409);
  t.is(((await busy.json()) as { error: { code: string } }).error.code, "CTI_ERR_TRANSFER_TARGET_BUSY");
  t.is(agentState(f, "1001"), "talking", "nothing changed");
  t.is((await post("no-such-call", "1002")).status, 404);
  t.is((await post(callId, "10 02")).status, 400);
  await one.done;
  await two.done;
  t.is(f.events.filter((e) => e.event === "call.transferred").length, 0);
  await allPortsFree(f);
});

test("a REFER the bridge cannot carry out (to the agent itself) is refused with 400 and the conversation goes on", async (t) => {
  const f = await acdFixture(t, GROUPS(), BVDS);
  const phone = await transferringPhone({ proxyPort: f.kamailio.port, extension: "1001", referTo: "1001", talkMs: 300, expectReferStatus: 400, t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5591", hangup: "local", holdAfterMs: 2000, t });
  await phone.waitForMessage((m) => m.direction === "received" && m.status === 400 && m.cseqMethod === "REFER", "400 to the REFER", 5000);
  t.is(agentState(f, "1001"), "talking", "still talking");
  await caller.done;
  await phone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE when the caller hung up", 3000);
  t.is(f.events.filter((e) => e.event === "call.transferred").length, 0);
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { logonId: "1001", releasedBy: "caller" });
  await allPortsFree(f);
});

test("a transfer to the customer authentication number is a divert: the caller runs the authentication script and the agent stays reserved for its return", async (t) => {
  const f = await acdFixture(t, `${GROUPS()}customerAuthentication:\n  number: 2020\n  reserveTimeout: 20s\n`, `${BVDS}\n  - { number: 2020, kind: serviceAccess, script: customer-authentication }`);
  const diverted: Record<string, unknown>[] = [];
  f.daemon.bus.on("call.diverted", (e) => diverted.push(e as unknown as Record<string, unknown>));
  const agent = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5601", hangup: "local", holdAfterMs: 2500, t });
  const callId = (await eventually(() => f.events.find((e) => e.event === "call.established"), 5000, "talking")).data.callId as string;
  const response = await fetch(`${f.httpUrl}/calls/${encodeURIComponent(callId)}/transfer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to: "2020" }) });
  t.is(response.status, 202);
  t.like(await response.json(), { kind: "authentication", logonId: "1001" });
  await agent.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the agent's leg released", 3000);
  t.like(diverted[0], { callId, logonId: "1001", newDestination: "2020", via: "transfer" });
  t.is(agentState(f, "1001"), "talking", "reserved for the caller's return (the manual keeps it in Talking)");
  await caller.done;
  await allPortsFree(f);
});
