// MakeCall through the Open Interface, against the real daemon, real Kamailio call managers and SIPp phones: the
// agent's phone rings first (the destination in From), then the destination is called with the caller ID applied
// as the call manager's type wants it — read on the wire at the destination phone: Request-URI, To, From and
// P-Asserted-Identity — and the two talk through the bridge's media room. Agent states, events (bus and
// WebSocket), GET /calls, the ring time, the error codes and the ACD's view of a busy agent are checked too.
import test from "ava";
import { registeredPhone, startCall, type RegisteredPhone } from "../harness/sipp.js";
import { startRtpSink, type RtpSink } from "../harness/rtp-sink.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import { EventClient } from "../api/event-client.js";
import { startDaemonFixture, eventually, type DaemonFixture, type FixtureOptions } from "./daemon-fixture.js";
import { agentState, allPortsFree, sdpPort, type Recorded } from "./acd-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";
import type { CallView } from "../../cti/api/acd-view.js";

const SYSTEM = `  ringTimeSupervision: 1500ms
  privateCallerId: { default: Main, agentMaySelect: true }`;
const CONFIG = `
callerIds:
  - { name: Sales, callerId: "811" }
  - { name: Main, callerId: "+4681234500" }
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
serviceGroups:
  - id: Sales
    agents: "*"
    ringTime: 2s
    callerId: { default: Sales, agentMaySelect: false }
`;
const BVDS = `  - { number: 3000, kind: serviceAccess, serviceAccess: sales-line }`;

const RECORDED = ["call.initiated", "call.originated", "call.connected", "call.ended", "call.queued", "call.delivered", "agent.stateChanged"] as const;

async function fixture(t: TeardownContext, extra: Partial<FixtureOptions> = {}): Promise<DaemonFixture & { events: Recorded[] }> {
  const f = await startDaemonFixture({ t, system: SYSTEM, config: CONFIG, bvds: BVDS, ...extra });
  const events: Recorded[] = [];
  for (const name of RECORDED) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => events.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return Object.assign(f, { events });
}

async function post<T = Record<string, unknown>>(f: DaemonFixture, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(f.httpUrl + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

async function logOn(f: DaemonFixture, logonId: string, extension: string, callManager?: string): Promise<void> {
  await f.addUser(logonId, "6172839");
  const r = await post(f, `/agents/${logonId}/logon`, { extension, ...(callManager ? { callManager } : {}) });
  if (r.status !== 200) throw new Error(`logon ${logonId}: ${r.status} ${JSON.stringify(r.body)}`);
}

function phone(port: number, user: string, t: TeardownContext, o: { answer?: "auto" | "none" | "busy"; hangupAfterMs?: number; sink?: RtpSink } = {}): Promise<RegisteredPhone> {
  return registeredPhone({
    proxyPort: port,
    user,
    answer: o.answer ?? "auto",
    ringMs: 300,
    ...(o.hangupAfterMs !== undefined ? { hangupAfterMs: o.hangupAfterMs } : {}),
    ...(o.sink ? { sdpMediaPort: o.sink.port } : {}),
    t,
  });
}

const agentCallEvents = (events: Recorded[]) => events.filter((e) => /^call\.(initiated|originated|connected|ended)$/.test(e.event));
const stateChanges = (events: Recorded[], logonId: string) =>
  events.filter((e) => e.event === "agent.stateChanged" && e.data.logonId === logonId).map((e) => `${e.data.from as string}>${e.data.to as string}`);
const header = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, "im").exec(text)?.[1];

test("TAS: the agent's phone rings with the destination as caller; the destination gets the selected caller ID whole in From and P-Asserted-Identity; both talk through the bridge", async (t) => {
  const f = await fixture(t);
  const agentSink = await startRtpSink({ t });
  const destinationSink = await startRtpSink({ t });
  const agentPhone = await phone(f.kamailio.port, "1001", t, { sink: agentSink });
  const destinationPhone = await phone(f.kamailio.port, "5551234", t, { sink: destinationSink, hangupAfterMs: 2500 });
  await logOn(f, "1001", "1001");
  const ws = await EventClient.connect(`${f.httpUrl.replace("http", "ws")}/events?events=call.*&logonId=1001`);
  t.teardown(() => ws.close());

  const made = await post<CallView>(f, "/agents/1001/calls", { destination: "5551234", callerId: "Sales" });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { direction: "outbound", dialed: "5551234", caller: { number: "811" }, state: "ringing", logonId: "1001", extension: "1001", serviceAccess: "", serviceGroup: "" });
  t.is(agentState(f, "1001"), "reserved", "busy for the ACD while its phone rings");

  // First leg: the agent's own extension through its call manager, showing the number it is about to call.
  const agentInvite = await agentPhone.waitForInvite(1);
  t.is(agentInvite.callId, made.body.callId, "the call's id is the Call-ID of the INVITE to the agent");
  t.regex(agentInvite.text, /^INVITE sip:1001@127\.0\.0\.1:\d+/);
  t.regex(header(agentInvite.text, "From") ?? "", /^<sip:5551234@127\.0\.0\.1>;tag=/);

  // Second leg, after the agent answered: TAS sends the caller ID whole; the dialled number is unchanged.
  const destinationInvite = await destinationPhone.waitForInvite(1);
  t.regex(destinationInvite.text, /^INVITE sip:5551234@127\.0\.0\.1:\d+/, "Request-URI: the destination as dialled");
  t.regex(header(destinationInvite.text, "To") ?? "", new RegExp(`^<sip:5551234@127\\.0\\.0\\.1:${f.kamailio.port}(;transport=udp)?>$`, "i"));
  t.regex(header(destinationInvite.text, "From") ?? "", /^<sip:811@127\.0\.0\.1>;tag=/);
  t.is(header(destinationInvite.text, "P-Asserted-Identity"), "<sip:811@127.0.0.1>");
  t.regex(f.kamailio.readLog(), /REQ INVITE sip:5551234@127\.0\.0\.1:\d+\S* from 127\.0\.0\.1:/, "what the bridge sent to the call manager");

  await eventually(() => (agentState(f, "1001") === "talking" && f.events.some((e) => e.event === "call.connected") ? true : undefined), 5000, "connected");
  const listed = await f.getJson<CallView[]>("/calls");
  t.like(listed.body.find((c) => c.callId === made.body.callId), { direction: "outbound", state: "talking", dialed: "5551234", logonId: "1001" });

  // Audio both ways through the media room.
  await Promise.all([
    agentSink.talk(sdpPort(agentInvite.text), { payloadType: 0, fill: 0x11, count: 40 }),
    destinationSink.talk(sdpPort(destinationInvite.text), { payloadType: 0, fill: 0x22, count: 40 }),
  ]);
  await eventually(() => (destinationSink.payloads(0).filter((p) => p.every((b) => b === 0x11)).length >= 36 ? true : undefined), 2000, "agent audio at the destination");
  await eventually(() => (agentSink.payloads(0).filter((p) => p.every((b) => b === 0x22)).length >= 36 ? true : undefined), 2000, "destination audio at the agent");

  // The destination hangs up: the bridge clears the agent's leg; the agent is idle ready again.
  await agentPhone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE at the agent's phone", 5000);
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle ready again");
  t.deepEqual(stateChanges(f.events, "1001"), ["loggedOff>idleReady", "idleReady>reserved", "reserved>talking", "talking>idleReady"]);
  t.deepEqual(agentCallEvents(f.events).map((e) => e.event), ["call.initiated", "call.originated", "call.connected", "call.ended"]);
  const [initiated, originated, , ended] = agentCallEvents(f.events).map((e) => e.data);
  const base = { callId: made.body.callId, direction: "outbound", logonId: "1001", extension: "1001", callManagerId: "kam", destination: "5551234", callerId: { name: "Sales", callerId: "811" } };
  t.like(initiated, base);
  t.like(originated, { ...base, dialed: "5551234", presented: "811", destinationCallId: destinationInvite.callId });
  t.like(ended, { ...base, stage: "connected", releasedBy: "destination", reason: "hangUp" });
  t.true((ended!.talkMs as number) >= 2000, `talk time ${String(ended!.talkMs)}`);
  t.false("serviceGroup" in initiated!, "a private call");
  const cdr = await eventually(() => f.daemon.store.agentCallDetails.get(-1, made.body.callId), 3000, "the agent call's CDR row");
  t.like(cdr, { logonId: "1001", extension: "1001", callManagerId: "kam", destination: "5551234", dialed: "5551234", callerId: { name: "Sales", callerId: "811" }, serviceGroup: null, outcome: "answered", stage: "connected", releasedBy: "destination" });
  t.true(cdr.talkMs >= 2000 && cdr.setupMs !== null && cdr.answeredAt !== null, `talk ${cdr.talkMs} ms, setup ${String(cdr.setupMs)} ms`);
  await ws.waitFor(4);
  t.deepEqual(ws.messages.map((m) => m.event), ["call.initiated", "call.originated", "call.connected", "call.ended"]);
  t.deepEqual((await f.getJson<CallView[]>("/calls")).body, []);
  await allPortsFree(f);
});

test("OAS: the service group's caller ID is prepended to the dialled number, the agent's extension is the caller; the agent hanging up clears the destination", async (t) => {
  const f = await fixture(t, { secondCallManager: { kamailio: true, type: "OAS" } });
  const oas = f.kamailio2!;
  const agentPhone = await phone(oas.port, "1002", t, { hangupAfterMs: 1500 });
  const destinationPhone = await phone(oas.port, "8115551234", t);
  await logOn(f, "1002", "1002", "kam2");
  t.is(f.daemon.agents.get("1002")?.callManagerId, "kam2");

  const made = await post<CallView>(f, "/agents/1002/calls", { destination: "5551234", serviceGroup: "Sales" });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { direction: "outbound", dialed: "5551234", caller: { number: "1002" }, serviceGroup: "Sales" });

  const agentInvite = await agentPhone.waitForInvite(1);
  t.regex(header(agentInvite.text, "From") ?? "", /^<sip:5551234@127\.0\.0\.1>;tag=/, "the agent's phone shows the number as dialled, without the prefix");

  const destinationInvite = await destinationPhone.waitForInvite(1);
  t.regex(destinationInvite.text, /^INVITE sip:8115551234@127\.0\.0\.1:\d+/, "Request-URI: caller ID string + dialled number");
  t.regex(header(destinationInvite.text, "To") ?? "", new RegExp(`^<sip:8115551234@127\\.0\\.0\\.1:${oas.port}(;transport=udp)?>$`, "i"));
  t.regex(header(destinationInvite.text, "From") ?? "", /^<sip:1002@127\.0\.0\.1>;tag=/, "the call manager's translation replaces the agent's number");
  t.is(header(destinationInvite.text, "P-Asserted-Identity"), "<sip:1002@127.0.0.1>");
  t.regex(oas.readLog(), /REQ INVITE sip:8115551234@127\.0\.0\.1:\d+\S* from 127\.0\.0\.1:/);
  t.notRegex(f.kamailio.readLog(), /REQ INVITE sip:\d*5551234/, "nothing through the other (TAS) call manager");

  await destinationPhone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE at the destination", 5000);
  await eventually(() => (agentState(f, "1002") === "idleReady" ? true : undefined), 3000, "agent idle ready again");
  const [, originated, connected, ended] = agentCallEvents(f.events).map((e) => e.data);
  const base = { logonId: "1002", callManagerId: "kam2", destination: "5551234", serviceGroup: "Sales", callerId: { name: "Sales", callerId: "811" } };
  t.like(originated, { ...base, dialed: "8115551234", presented: "1002" });
  t.like(connected, base);
  t.like(ended, { ...base, stage: "connected", releasedBy: "agent", reason: "hangUp" });
  await allPortsFree(f);
});

test("refused requests change nothing; an agent not answering within the system ring time is cancelled and back in its previous state, the destination never called", async (t) => {
  const f = await fixture(t);
  const agentPhone = await phone(f.kamailio.port, "1001", t, { answer: "none" });
  const destinationPhone = await phone(f.kamailio.port, "5551234", t);
  await logOn(f, "1001", "1001");
  t.is((await post(f, "/agents/1001/notready", { reason: "lunch" })).status, 200);

  const refused: [string, unknown, number, string][] = [
    ["/agents/9999/calls", { destination: "5551234" }, 409, "CTI_ERR_AGENT_NOT_LOGGED_ON"],
    ["/agents/1001/calls", { destination: "5551234", callerId: "Marketing" }, 404, "CTI_ERR_CALLER_ID_UNKNOWN"],
    ["/agents/1001/calls", { destination: "5551234", serviceGroup: "Sales", callerId: "Main" }, 403, "CTI_ERR_CALLER_ID_NOT_ALLOWED"],
    ["/agents/1001/calls", { destination: "5551234", serviceGroup: "Billing" }, 404, "CTI_ERR_SERVICE_GROUP_UNKNOWN"],
    ["/agents/1001/calls", { destination: "555 1234" }, 400, "CTI_ERR_BAD_REQUEST"],
    ["/agents/1001/calls", { destination: "5551234", pin: "1234" }, 400, "CTI_ERR_BAD_REQUEST"],
  ];
  for (const [path, body, status, code] of refused) {
    const r = await post<{ error: { code: string } }>(f, path, body);
    t.is(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    t.is(r.body.error.code, code);
  }
  t.like(f.daemon.agents.get("1001"), { state: "idleNotReady", notReadyReason: "lunch" });
  t.is(agentCallEvents(f.events).length, 0);

  // The private call's default caller ID applies; a second MakeCall while the phone rings: the agent is not idle.
  const made = await post<CallView>(f, "/agents/1001/calls", { destination: "5551234" });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { caller: { number: "+4681234500" } });
  const again = await post<{ error: { code: string } }>(f, "/agents/1001/calls", { destination: "5551234" });
  t.deepEqual([again.status, again.body.error.code], [409, "CTI_ERR_AGENT_STATE"]);
  const notReady = await post<{ error: { code: string } }>(f, "/agents/1001/ready", {});
  t.deepEqual([notReady.status, notReady.body.error.code], [409, "CTI_ERR_AGENT_STATE"], "no ready/not ready while its phone rings");

  await agentPhone.waitForInvite(1);
  await agentPhone.waitForMessage((m) => m.direction === "received" && m.method === "CANCEL", "CANCEL at the agent's phone", 5000);
  await eventually(() => (f.events.some((e) => e.event === "call.ended") ? true : undefined), 3000, "call.ended");
  const [initiated, ended] = agentCallEvents(f.events);
  t.deepEqual(agentCallEvents(f.events).map((e) => e.event), ["call.initiated", "call.ended"]);
  t.like(ended!.data, { stage: "agentRinging", releasedBy: "system", reason: "noAnswer", talkMs: 0, callerId: { name: "Main", callerId: "+4681234500" } });
  const ringMs = ended!.at - initiated!.at;
  t.true(ringMs >= 1400 && ringMs < 2200, `given up after the 1.5 s system ring time (${Math.round(ringMs)} ms)`);
  t.like(f.daemon.agents.get("1001"), { state: "idleNotReady", notReadyReason: "lunch" }, "back where it was, not forced not ready");
  t.deepEqual(stateChanges(f.events, "1001").slice(-2), ["idleNotReady>reserved", "reserved>idleNotReady"]);
  await new Promise((r) => setTimeout(r, 300));
  t.is(destinationPhone.invitesReceived().length, 0, "nothing else happens");
  await allPortsFree(f);
});

test("an agent on its own call is busy for the ACD: a caller waits in the queue and is offered to the agent as soon as the call ends", async (t) => {
  const f = await fixture(t);
  const agentPhone = await phone(f.kamailio.port, "1001", t);
  const destinationPhone = await phone(f.kamailio.port, "5551234", t, { hangupAfterMs: 2500 });
  await logOn(f, "1001", "1001");
  t.is((await post(f, "/agents/1001/calls", { destination: "5551234" })).status, 201);
  await destinationPhone.waitForInvite(1);
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");

  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5559", hangup: "local", holdAfterMs: 6000, t });
  await eventually(() => (f.events.some((e) => e.event === "call.queued") ? true : undefined), 5000, "the caller queued");
  await new Promise((r) => setTimeout(r, 500));
  t.is(agentPhone.invitesReceived().length, 1, "no offer while the agent is on its own call");
  t.false(f.events.some((e) => e.event === "call.delivered"));

  const offer = await agentPhone.waitForInvite(2, 6000);
  t.is(header(offer.text, "X-CTI-Service-Group"), "Sales");
  const ended = f.events.find((e) => e.event === "call.ended")!;
  const delivered = f.events.find((e) => e.event === "call.delivered")!;
  t.like(delivered.data, { logonId: "1001", serviceGroup: "Sales" });
  t.true(delivered.at >= ended.at, "offered after the agent's own call ended");
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking with the caller");
  t.deepEqual(stateChanges(f.events, "1001"), ["loggedOff>idleReady", "idleReady>reserved", "reserved>talking", "talking>idleReady", "idleReady>reserved", "reserved>talking"]);
  await caller.done;
  await allPortsFree(f);
});

test("a busy destination clears the agent's leg; the agent is back in its idle state; the route is in the OpenAPI document with its codes", async (t) => {
  const f = await fixture(t);
  const agentPhone = await phone(f.kamailio.port, "1001", t);
  const destinationPhone = await phone(f.kamailio.port, "5551234", t, { answer: "busy" });
  await logOn(f, "1001", "1001");
  t.is((await post(f, "/agents/1001/calls", { destination: "5551234" })).status, 201);
  await destinationPhone.waitForInvite(1);
  await agentPhone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE at the agent's phone", 5000);
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle ready again");
  t.deepEqual(agentCallEvents(f.events).map((e) => e.event), ["call.initiated", "call.originated", "call.ended"]);
  t.like(agentCallEvents(f.events)[2]!.data, { stage: "dialing", releasedBy: "destination", reason: "busy", sipStatus: 486, talkMs: 0 });
  await allPortsFree(f);

  type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } }> }> }>> };
  const doc = (await f.getJson<Doc>("/openapi.json")).body;
  const route = doc.paths["/agents/{logonId}/calls"]?.post;
  t.truthy(route?.responses["201"]);
  const codes = (status: number) => route?.responses[String(status)]?.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum ?? [];
  t.deepEqual(codes(403), ["CTI_ERR_CALLER_ID_NOT_ALLOWED"]);
  t.deepEqual(codes(404).sort(), ["CTI_ERR_CALLER_ID_UNKNOWN", "CTI_ERR_CALL_MANAGER_UNKNOWN", "CTI_ERR_SERVICE_GROUP_UNKNOWN"]);
  t.deepEqual(codes(409).sort(), ["CTI_ERR_AGENT_NOT_LOGGED_ON", "CTI_ERR_AGENT_STATE"]);
});
