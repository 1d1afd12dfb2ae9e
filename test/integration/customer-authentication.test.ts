// Customer authentication divert-and-return ("Using Customer Authentication", "... with Phone Agents"), with real
// peers: Kamailio as the call manager, SIPp callers keying digits, SIPp and baresip phones as the agent, RTP sinks.
// Each test is one rule of the manual: the divert (DeflectPhoneAgentCall, the DTMF feature code) with its events,
// the agent reserved in Talking while another caller waits, the script reading the private data and deflecting
// back with associated data, the reserve timer, the returned call not answered.
import test from "ava";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { startBaresip } from "../harness/baresip.js";
import { startSnmptrapd, varbind } from "../snmp/snmptrapd.js";
import { eventually } from "./daemon-fixture.js";
import { acdFixture, agentPhone, agentState, allPortsFree, bridgePortTowardsCaller, logOn, sdpPort, type Recorded } from "./acd-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";
import { transferringPhone } from "./transfer-phone.js";
import { openApi30Problems } from "../api/openapi-structure.js";

const BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }
  - { number: 2020, kind: serviceAccess, script: customer-authentication }`;

function config(o: { reserveTimeout?: string; clericalTime?: string; featureCode?: string; sendDnFromAgent?: boolean; extra?: string } = {}): string {
  return `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 2s
    clericalTime: ${o.clericalTime ?? "0s"}
customerAuthentication:
  number: 2020
  reserveTimeout: ${o.reserveTimeout ?? "20s"}
${o.featureCode ? `  featureCode: "${o.featureCode}"\n` : ""}${o.sendDnFromAgent === false ? "  sendDnFromAgent: false\n" : ""}${o.extra ?? ""}`;
}

const AUTH_EVENTS = ["call.diverted", "call.parked", "call.deflected", "customerAuth.reserveTimeout"] as const;

async function fixture(t: Parameters<typeof acdFixture>[0], cfg: string, bvds = BVDS) {
  const f = await acdFixture(t, cfg, bvds);
  for (const name of AUTH_EVENTS) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => f.events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return f;
}

const ofCall = (events: Recorded[], callId: string) => events.filter((e) => e.data.callId === callId).map((e) => e.event);
const established = (events: Recorded[]) => events.filter((e) => e.event === "call.established");

async function divert(httpUrl: string, callId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${httpUrl}/calls/${encodeURIComponent(callId)}/deflect-phone-agent-call`, { method: "POST" });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** RFC 4733 key presses as a phone sends them: each digit 3 progress + 3 end packets, PT 101. */
async function pressKeys(port: number, digits: string): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const codes: Record<string, number> = { "*": 10, "#": 11 };
  let sequence = 100;
  let timestamp = 8000;
  for (const digit of digits) {
    const event = codes[digit] ?? Number(digit);
    for (let i = 0; i < 6; i++) {
      const end = i >= 3;
      const packet = Buffer.alloc(16);
      packet[0] = 0x80;
      packet[1] = (i === 0 ? 0x80 : 0) | 101;
      packet.writeUInt16BE(sequence++ & 0xffff, 2);
      packet.writeUInt32BE(timestamp, 4);
      packet.writeUInt32BE(0x4711, 8);
      packet[12] = event;
      packet[13] = (end ? 0x80 : 0) | 10;
      packet.writeUInt16BE(160 * Math.min(i + 1, 4), 14);
      await new Promise<void>((resolve) => socket.send(packet, port, "127.0.0.1", () => resolve()));
      await new Promise((r) => setTimeout(r, 20));
    }
    timestamp += 1600;
    await new Promise((r) => setTimeout(r, 150));
  }
  socket.close();
}

test("DeflectPhoneAgentCall: the agent leg is released, the agent stays Talking and gets no other call, the script returns the caller with X-CTI-Associated-Data: ok:1234 and audio flows", async (t) => {
  const f = await fixture(t, config());
  const callerSink = await startRtpSink({ t });
  const agentSink = await startRtpSink({ t });
  const phone = await agentPhone(f, t, "1001", { sink: agentSink });
  await logOn(f, "1001", "1001");

  // The caller keys the customer number while the authentication prompt plays, then talks to the agent again.
  const caller = await startCall({
    proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port,
    waitBeforeDtmfMs: 2500, dtmf: "1234", dtmfTiming: { digitMs: 250, pauseMs: 100 }, hangup: "local", holdAfterMs: 4000, t,
  });
  const first = await phone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  const callId = established(f.events)[0]!.data.callId as string;

  const response = await divert(f.httpUrl, callId);
  t.is(response.status, 200, JSON.stringify(response.body));
  t.deepEqual(response.body, { callId, newDestination: "2020" });
  await phone.waitForMessage((m) => m.direction === "received" && m.method === "BYE" && m.callId === first.callId, "BYE on the first agent leg", 2000);
  for (const name of ["call.diverted", "call.parked", "call.deflected"]) {
    t.like(f.events.find((e) => e.event === name)?.data, { callId, logonId: "1001", extension: "1001", newDestination: "2020", via: "api", serviceGroup: "Sales" }, name);
  }
  t.is(agentState(f, "1001"), "talking", "a phone agent stays in Talking while its caller is at authentication");
  const view = (await f.getJson<{ callId: string; state: string; logonId?: string }[]>("/calls")).body.find((c) => c.callId === callId);
  t.like(view, { state: "authenticating", logonId: "1001" });

  // Another caller waits: the reserved agent is busy for the ACD.
  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5552", hangup: "local", holdAfterMs: 1500, t });
  await eventually(() => (f.events.some((e) => e.event === "call.queued" && (e.data.caller as { number: string }).number === "5552") ? true : undefined), 3000, "second caller queued");
  await second.done;
  t.like(f.events.find((e) => e.event === "call.abandoned")?.data, { stage: "queue", caller: { number: "5552" } });

  const back = await phone.waitForInvite(2, 10_000);
  t.regex(back.text, /^X-CTI-Associated-Data: ok:1234\r?$/m, "the script's associated data on the agent's INVITE");
  t.regex(back.text, /^X-CTI-Call-Profile: .*Customer%20Number=1234/m, "the call profile the script filled");
  t.regex(back.text, /^X-CTI-Call-Id: /m);
  t.regex(back.text, /^From: .*<sip:5551@/m, "the agent's phone shows the caller again");
  t.false(phone.invitesReceived().some((m) => /^From: .*<sip:5552@/m.test(m.text)), "the waiting caller was never offered to the reserved agent");
  await eventually(() => (established(f.events).length === 2 ? true : undefined), 5000, "the returned call established");
  t.like(established(f.events)[1]!.data, { callId, logonId: "1001", associatedData: "ok:1234" });
  t.like(f.events.filter((e) => e.event === "call.delivered")[1]!.data, { callId, logonId: "1001", associatedData: "ok:1234" });
  const callView = (await f.getJson<{ callId: string; state: string; associatedData?: string }[]>("/calls")).body.find((c) => c.callId === callId);
  t.like(callView, { state: "talking", associatedData: "ok:1234" });

  // The caller's audio reaches the agent's phone through the bridge again.
  await callerSink.talk(await bridgePortTowardsCaller(caller), { payloadType: 0, fill: 0x33, count: 40 });
  await eventually(() => (agentSink.payloads(0).filter((p) => p.every((b) => b === 0x33)).length >= 30 ? true : undefined), 3000, "caller audio at the agent");
  t.is(sdpPort(back.text) > 0, true);

  await caller.done;
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle after the call");
  t.is(f.events.filter((e) => e.event === "agent.stateChanged" && e.data.logonId === "1001" && e.data.to !== "talking" && e.data.to !== "idleReady").length, 1, "only reserved, for the first offer");
  t.deepEqual(ofCall(f.events, callId), [
    "call.queued", "call.delivered", "call.established",
    "call.diverted", "call.parked", "call.deflected",
    "call.delivered", "call.established", "call.cleared",
  ]);
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.endedAt ? row : undefined;
  }, 3000, "the CDR row");
  t.like(cdr, { visit: 1, outcome: "answered", logonId: "1001", offers: 2, releasedBy: "caller" });
  await allPortsFree(f);
});

test("the feature code *7 keyed on the agent leg diverts the caller; events name the configured number exactly", async (t) => {
  const f = await fixture(t, config({ featureCode: "*7" }));
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5553", waitBeforeDtmfMs: 3000, dtmf: "4321", dtmfTiming: { digitMs: 250, pauseMs: 100 }, hangup: "local", holdAfterMs: 2500, t });
  const first = await phone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  await pressKeys(sdpPort(first.text), "*7");
  const diverted = await eventually(() => f.events.find((e) => e.event === "call.diverted"), 3000, "call.diverted");
  t.like(diverted.data, { logonId: "1001", via: "featureCode" });
  t.is(diverted.data.newDestination, "2020");
  t.is(agentState(f, "1001"), "talking");
  const back = await phone.waitForInvite(2, 10_000);
  t.regex(back.text, /^X-CTI-Associated-Data: ok:4321\r?$/m);
  await caller.done;
  await allPortsFree(f);
});

test("reserve timer: the caller not back in time → the agent is released to clerical (group's clericalTime), then idle; the script's failure branch runs; customerAuth.reserveTimeout and secCustomerAuthTimeout", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const f = await fixture(t, config({
    reserveTimeout: "1500ms",
    clericalTime: "1s",
    extra: `snmp:
  destinations:
    - { name: noc, host: 127.0.0.1, port: ${trapd.port}, version: v2c, mode: trap, community: public }
  damping: { window: 0s }
`,
  }));
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  // The caller keys the number only after the reserve time: the deflect fails, the script says sorry and hangs up.
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5554", waitBeforeDtmfMs: 4000, dtmf: "9999", dtmfTiming: { digitMs: 250, pauseMs: 100 }, hangup: "remote", byeTimeoutMs: 15_000, t });
  await phone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  const callId = established(f.events)[0]!.data.callId as string;
  t.is((await divert(f.httpUrl, callId)).status, 200);
  const divertedAt = f.events.find((e) => e.event === "call.diverted")!.at;

  const timeout = await eventually(() => f.events.find((e) => e.event === "customerAuth.reserveTimeout"), 4000, "reserve timeout");
  const after = timeout.at - divertedAt;
  t.true(after >= 1450 && after < 2200, `released after the 1.5 s reserve time (${Math.round(after)} ms)`);
  t.like(timeout.data, { logonId: "1001", callId, script: "customer-authentication" });
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { callId, logonId: "1001", releasedBy: "system" });
  await eventually(() => (agentState(f, "1001") === "clerical" ? true : undefined), 1000, "agent in clerical");
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle after clerical");

  const [trap] = await trapd.waitFor((l) => l.includes("secCustomerAuthTimeout"), 5000);
  t.is(varbind(trap!, "secAgentId"), "1001");

  const result = await caller.done;
  t.true(result.received.byeFromRemote, "the failure branch played its prompt and hung up");
  t.is(phone.invitesReceived().length, 1, "the caller was not returned after the reserve time");
  t.truthy(f.logLines().find((l) => l.msg === "deflect: the agent is no longer reserved for this caller; failure branch"));
  const cdr = await eventually(async () => {
    const row = await f.daemon.store.callDetails.get(-1, callId);
    return row?.clericalMs !== null && row?.clericalMs !== undefined ? row : undefined;
  }, 3000, "the CDR row with clerical time");
  t.like(cdr, { outcome: "answered", logonId: "1001", releasedBy: "system" });
  await allPortsFree(f);
});

test("the agent does not answer the returned call: the caller hears music while it rings; treated as disconnected, the agent is available again and the script's failure branch runs", async (t) => {
  const f = await fixture(t, config());
  const callerSink = await startRtpSink({ t });
  const phone = await startBaresip({ proxyPort: f.kamailio.port, user: "1001", answermode: "manual", t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5555", sdpMediaPort: callerSink.port, waitBeforeDtmfMs: 2500, dtmf: "1111", dtmfTiming: { digitMs: 250, pauseMs: 100 }, hangup: "remote", byeTimeoutMs: 15_000, t });
  await phone.waitFor("CALL_INCOMING", 5000);
  await phone.answer();
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  const callId = established(f.events)[0]!.data.callId as string;
  t.is((await divert(f.httpUrl, callId)).status, 200);
  await phone.waitFor("CALL_CLOSED", 3000);

  await phone.waitFor("CALL_INCOMING", 10_000); // the returned call rings, nobody answers
  const heardBefore = callerSink.payloads(0).length;
  await new Promise((r) => setTimeout(r, 1000));
  t.true(callerSink.payloads(0).length - heardBefore >= 30, "the caller hears the group's music (20 ms frames) while the agent's phone rings");
  const failed = await eventually(() => f.events.find((e) => e.event === "call.offerFailed"), 4000, "offer failed");
  t.like(failed.data, { callId, logonId: "1001", reason: "noAnswer" });
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { callId, releasedBy: "system" });
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 2000, "agent available again");
  t.is(f.daemon.agents.get("1001")?.notReadyReason, undefined, "not forced not ready: treated as a disconnected call");
  t.true((await caller.done).received.byeFromRemote, "the script's failure branch hung up");
  await allPortsFree(f);
});

test("errors: DeflectPhoneAgentCall on an unknown call, on a queued call; SetAgentIVRData for an agent not waiting; not configured", async (t) => {
  const f = await fixture(t, config());
  t.like(await divert(f.httpUrl, "nope"), { status: 404, body: { error: { code: "CTI_ERR_CALL_NOT_FOUND" } } });
  await logOn(f, "1001", "1001");
  await fetch(`${f.httpUrl}/agents/1001/notready`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5556", hangup: "local", holdAfterMs: 1500, t });
  const queued = await eventually(() => f.events.find((e) => e.event === "call.queued"), 3000, "queued");
  t.like(await divert(f.httpUrl, queued.data.callId as string), { status: 409, body: { error: { code: "CTI_ERR_CALL_NOT_IN_CONVERSATION" } } });
  const ivrData = await fetch(`${f.httpUrl}/agents/1001/ivr-data`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ associatedData: "ok" }) });
  t.is(ivrData.status, 409);
  t.like(await ivrData.json(), { error: { code: "CTI_ERR_AGENT_NOT_WAITING_FOR_CALLER" } });
  await caller.done;

  const doc = (await f.getJson<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>("/openapi.json")).body;
  t.truthy(doc.paths["/calls/{callId}/deflect-phone-agent-call"]?.post?.responses["409"], "DeflectPhoneAgentCall is documented with its errors");
  t.truthy(doc.paths["/agents/{logonId}/ivr-data"]?.put?.responses["409"], "SetAgentIVRData is documented with its errors");
  t.deepEqual(openApi30Problems(doc), [], "the whole daemon's document, these routes included, is valid OpenAPI 3.0");

  const plain = await acdFixture(t); // no customerAuthentication
  t.like(await divert(plain.httpUrl, "any"), { status: 409, body: { error: { code: "CTI_ERR_CUSTOMER_AUTH_NOT_CONFIGURED" } } });
});

test("SetAgentIVRData: the integration's associated data reaches the agent's INVITE when the script's deflect gives none", async (t) => {
  const scripts = mkdtempSync(join(tmpdir(), "ctibridge-auth-scripts-"));
  t.teardown(() => rmSync(scripts, { recursive: true, force: true }));
  writeFileSync(join(scripts, "auth-no-data.yaml"), `script: auth-no-data
start: wait
blocks:
  wait: { type: collect, into: key, maxDigits: 1, firstDigitTimeout: 1500ms, retries: 0, onNoInput: back, next: back }
  back: { type: deflect, failure: bye }
  bye: { type: disconnect }
`);
  const f = await fixture(t, `${config()}scripts:\n  directories: [${JSON.stringify(scripts)}]\n`, BVDS.replace("script: customer-authentication", "script: auth-no-data"));
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5557", hangup: "local", holdAfterMs: 5000, t });
  await phone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  const callId = established(f.events)[0]!.data.callId as string;
  t.is((await divert(f.httpUrl, callId)).status, 200);
  const response = await fetch(`${f.httpUrl}/agents/1001/ivr-data`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ associatedData: "verified by CRM" }) });
  t.is(response.status, 200);
  t.deepEqual(await response.json(), { callId });
  const back = await phone.waitForInvite(2, 5000);
  t.regex(back.text, /^X-CTI-Associated-Data: verified by CRM\r?$/m);
  await eventually(() => (established(f.events).length === 2 ? true : undefined), 5000, "returned");
  t.like(established(f.events)[1]!.data, { associatedData: "verified by CRM" });
  await caller.done;
  await allPortsFree(f);
});

test("a blind transfer (REFER) from the agent's phone to 2020 is a divert: 202, the agent leg released, the agent reserved in Talking; the caller hanging up at authentication releases the agent", async (t) => {
  const f = await fixture(t, config());
  const phone = await transferringPhone({ proxyPort: f.kamailio.port, extension: "1001", referTo: "2020", talkMs: 600, t });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5558", hangup: "local", holdAfterMs: 3500, t });
  await phone.waitForInvite(1);
  const diverted = await eventually(() => f.events.find((e) => e.event === "call.diverted"), 5000, "call.diverted");
  t.like(diverted.data, { logonId: "1001", newDestination: "2020", via: "transfer" });
  await phone.waitForMessage((m) => m.direction === "received" && m.status === 202 && m.cseqMethod === "REFER", "202 to the REFER", 3000);
  await phone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the bridge's BYE to the transferring phone", 5000);
  t.is(agentState(f, "1001"), "talking", "reserved for the caller's return");
  await caller.done;
  const cleared = await eventually(() => f.events.find((e) => e.event === "call.cleared"), 3000, "call.cleared");
  t.like(cleared.data, { logonId: "1001", releasedBy: "caller" });
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent available again");
  await allPortsFree(f);
});

test("Send DN from Agent off: the private data is empty, so the demo script cannot return the caller (failure branch) and the agent is released when the script ends the call", async (t) => {
  const f = await fixture(t, config({ sendDnFromAgent: false }));
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5559", waitBeforeDtmfMs: 2500, dtmf: "1234", dtmfTiming: { digitMs: 250, pauseMs: 100 }, hangup: "remote", byeTimeoutMs: 15_000, t });
  await phone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  const callId = established(f.events)[0]!.data.callId as string;
  t.is((await divert(f.httpUrl, callId)).status, 200);
  t.true((await caller.done).received.byeFromRemote, "the failure branch played its prompt and hung up");
  t.is(phone.invitesReceived().length, 1, "no INVITE back to the agent");
  t.like(f.events.find((e) => e.event === "call.cleared")?.data, { callId, logonId: "1001", releasedBy: "system" });
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent available again");
  await allPortsFree(f);
});
