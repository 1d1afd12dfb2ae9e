// Recording URIs against the real daemon: Kamailio, a SIPp caller and a SIPp agent phone talking through the
// bridge, and a SIPp UAC standing in for the recorder (MIR) that INVITEs the URI from call.established; test
// sockets stand in for everyone's RTP, so the test reads what the recorder hears packet by packet.
import test from "ava";
import { randomBytes } from "node:crypto";
import { startCall, type SippProcess } from "../harness/sipp.js";
import { startRtpSink, type RtpSink } from "../harness/rtp-sink.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import { RtpPeer, rtpPacket, type ReceivedPacket } from "../media/media-test-helpers.js";
import { EventClient } from "../api/event-client.js";
import { openApi30Problems } from "../api/openapi-structure.js";
import { decodeG711, encodeG711 } from "../../ivr/media/g711.js";
import { eventually, type DaemonFixture } from "./daemon-fixture.js";
import { SALES, acdFixture, agentPhone, allPortsFree, bridgePortTowardsCaller, logOn, sdpPort, type Recorded } from "./acd-fixture.js";
import type { BridgeEvents } from "../../cti/events/event-bus.js";

const RECORDING_EVENTS = ["recording.joinFailed", "recording.started", "recording.stopped", "recording.paused", "recording.resumed"] as const;
/** What the caller and the agent say (µ-law codes of 1000 and 2000), and what the recorder tries to say. */
const [CALLER_CODE, AGENT_CODE] = encodeG711("ulaw", Int16Array.of(1000, 2000)) as unknown as [number, number];
const RECORDER_CODE = 0x55;
const ULAW_SILENCE = 0xff;

type Fixture = DaemonFixture & { events: Recorded[]; recording: Recorded[] };

async function recordingFixture(t: TeardownContext, recording: string): Promise<Fixture> {
  const f = await acdFixture(t, `${SALES}\nrecording:\n${recording}\n`);
  const seen: Recorded[] = [];
  for (const name of RECORDING_EVENTS) {
    f.daemon.bus.on(name, (data: BridgeEvents[typeof name][0]) => seen.push({ event: name, at: performance.now(), data: data as unknown as Record<string, unknown> }));
  }
  return Object.assign(f, { recording: seen });
}

interface Conversation {
  caller: SippProcess;
  callerSink: RtpSink;
  agentSink: RtpSink;
  towardsCaller: number;
  towardsAgent: number;
  uri: string;
  /** The Request-URI user of the recording URI (rec-<hex>). */
  user: string;
}

/** Agent 1001 answers a caller to 3000; the caller hangs up after `holdMs`. */
async function conversation(f: Fixture, t: TeardownContext, holdMs: number): Promise<Conversation> {
  const callerSink = await startRtpSink({ t });
  const agentSink = await startRtpSink({ t });
  const phone = await agentPhone(f, t, "1001", { sink: agentSink });
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5551", sdpMediaPort: callerSink.port, hangup: "local", holdAfterMs: holdMs, t });
  const invite = await phone.waitForInvite(1);
  const established = await eventually(() => f.events.find((e) => e.event === "call.established"), 5000, "call.established");
  const uri = established.data.recordingUri as string;
  return {
    caller,
    callerSink,
    agentSink,
    towardsCaller: await bridgePortTowardsCaller(caller),
    towardsAgent: sdpPort(invite.text),
    uri,
    user: /^sip:([^@]+)@/.exec(uri)?.[1] ?? "",
  };
}

/** A SIPp UAC INVITEs `user` at the daemon, offering RTP to `sink`; with expectStatus it expects that refusal. */
function recorderCall(f: Fixture, t: TeardownContext, user: string, sink: RtpPeer, expectStatus?: number): Promise<SippProcess> {
  return startCall({
    target: `127.0.0.1:${f.sipPort}`,
    dialed: user,
    from: "recorder",
    sdpMediaPort: sink.port,
    hangup: "remote",
    byeTimeoutMs: 20_000,
    ...(expectStatus !== undefined ? { expectStatus } : {}),
    t,
  });
}

async function answered(recorder: SippProcess): Promise<string> {
  const ok = await recorder.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK to the recorder");
  return ok.text;
}

async function rtpPeer(t: TeardownContext): Promise<RtpPeer> {
  const peer = await RtpPeer.create();
  t.teardown(() => peer.close());
  return peer;
}

function api(f: Fixture, method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string } } }> {
  return fetch(f.httpUrl + path, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: { code: string } } }));
}

const isFrameOf = (code: number) => (p: { payload: Buffer }) => p.payload.length === 160 && p.payload.every((b) => b === code);

function assertOneStream(t: import("ava").ExecutionContext, packets: readonly ReceivedPacket[]): void {
  t.true(packets.length > 0, "the recorder got RTP");
  t.is(new Set(packets.map((p) => p.ssrc)).size, 1, "one SSRC throughout");
  const gaps = packets.slice(1).filter((p, i) => p.sequence !== ((packets[i]!.sequence + 1) & 0xffff));
  t.is(gaps.length, 0, "sequence numbers continue");
}

test("a recorder INVITEs the URI from call.established: answered sendonly, hears caller and agent mixed, its own audio goes nowhere, BYE when the call is cleared", async (t) => {
  const f = await recordingFixture(t, "  allowedRecorders: [127.0.0.1]\n  mode: always");
  const c = await conversation(f, t, 4000);
  t.regex(c.uri, new RegExp(`^sip:rec-[0-9a-f]{32}@127\\.0\\.0\\.1:${f.sipPort}$`), "128 random bits in the user part, the bridge's SIP address");
  await eventually(() => f.recording.find((e) => e.event === "recording.started"), 2000, "recording.started");
  t.like(f.recording[0]!.data, { logonId: "1001", extension: "1001", serviceGroup: "Sales", recordingUri: c.uri, cause: "mode" });

  const sink = await rtpPeer(t);
  const recorder = await recorderCall(f, t, c.user, sink);
  const ok = await answered(recorder);
  t.regex(ok, /^a=sendonly$/m, "the bridge only sends to the recorder");
  t.notRegex(ok, /^a=sendrecv$/m);
  t.like((await api(f, "GET", "/agents/1001/recording")).body, { state: "recording", mode: "always", recorders: 1, recordingUri: c.uri, callId: f.events.find((e) => e.event === "call.established")!.data.callId });

  // Caller and agent talk at once; the recorder talks too (it must not be heard).
  const towardsRecorder = sdpPort(ok);
  const recorderTalks = (async () => {
    for (let i = 0; i < 40; i++) {
      await sink.send(rtpPacket({ payloadType: 0, sequence: i, timestamp: i * 160, ssrc: 0xdead, payload: RECORDER_CODE }), towardsRecorder);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.all([
    c.callerSink.talk(c.towardsCaller, { payloadType: 0, fill: CALLER_CODE, count: 50 }),
    c.agentSink.talk(c.towardsAgent, { payloadType: 0, fill: AGENT_CODE, count: 50 }),
    recorderTalks,
  ]);
  const sum = decodeG711("ulaw", Uint8Array.of(CALLER_CODE))[0]! + decodeG711("ulaw", Uint8Array.of(AGENT_CODE))[0]!;
  const mixed = encodeG711("ulaw", Int16Array.of(sum))[0]!;
  const both = await eventually(() => {
    const n = sink.packets.filter(isFrameOf(mixed)).length;
    return n >= 25 ? n : undefined;
  }, 2000, "mixed frames at the recorder");
  t.log(`${both} of ${sink.packets.length} frames at the recorder carry caller + agent mixed`);
  t.true(sink.packets.every((p) => p.payloadType === 0), "in the recorder's codec (PCMU)");
  assertOneStream(t, sink.packets);
  t.true(c.callerSink.payloads(0).some((p) => p.every((b) => b === AGENT_CODE)), "the caller hears the agent");
  t.false(c.callerSink.payloads(0).some((p) => p.every((b) => b === RECORDER_CODE)), "the caller never hears the recorder");
  t.false(c.agentSink.payloads(0).some((p) => p.every((b) => b === RECORDER_CODE)), "the agent never hears the recorder");

  // The caller hangs up: the conversation is over, the recorder gets BYE, the URI expires.
  const result = await recorder.done;
  t.true(result.received.byeFromRemote, "the bridge sent the recorder BYE when the call was cleared");
  const cleared = f.events.find((e) => e.event === "call.cleared")!;
  t.like(cleared.data, { releasedBy: "caller" });
  await allPortsFree(f);
  const again = await recorderCall(f, t, c.user, await rtpPeer(t), 404);
  t.is((await again.done).exitCode, 0, "an expired URI is 404");
  t.like(f.recording.at(-1)!.data, { reason: "unknown or expired recording URI", recorder: `127.0.0.1:${again.localPort}` });

  const token = c.user.slice(4);
  const leaks = f.logLines().filter((l) => JSON.stringify(l).includes(token));
  t.deepEqual(leaks, [], "the token is never logged whole");
  t.true(f.logLines().some((l) => l.msg === "recorder joined the conversation" && l.recording === `rec-${token.slice(0, 8)}…`), "a prefix is");
});

test("an address not in allowedRecorders is refused 403, with the right token or not, and each refusal raises recording.joinFailed; mode always lets the agent neither stop nor pause", async (t) => {
  // 127.0.0.1 is the call manager (it passes the SIP peer filter) but not an allowed recorder.
  const f = await recordingFixture(t, "  allowedRecorders: [127.0.0.9]\n  mode: always");
  const c = await conversation(f, t, 3000);
  t.regex(c.uri, /^sip:rec-[0-9a-f]{32}@/);
  const callId = f.events.find((e) => e.event === "call.established")!.data.callId;

  const forbidden = await recorderCall(f, t, c.user, await rtpPeer(t), 403);
  t.is((await forbidden.done).exitCode, 0, "403 to an address that is not an allowed recorder");
  const failed = await eventually(() => f.recording.find((e) => e.event === "recording.joinFailed"), 2000, "recording.joinFailed");
  t.like(failed.data, { callId, recorder: `127.0.0.1:${forbidden.localPort}` });
  t.regex(failed.data.reason as string, /allowedRecorders/);
  t.regex(failed.data.recordingUri as string, /^sip:rec-[0-9a-f]{8}…@127\.0\.0\.1:\d+$/, "the event carries the URI masked");

  // The address is checked first: a recorder that may not join learns nothing about tokens (404s: next tests).
  const unknown = await recorderCall(f, t, `rec-${randomBytes(16).toString("hex")}`, await rtpPeer(t), 403);
  t.is((await unknown.done).exitCode, 0);
  t.is(f.recording.filter((e) => e.event === "recording.joinFailed").length, 2);

  for (const action of ["stop", "pause", "start", "resume"]) {
    const r = await api(f, "POST", "/agents/1001/recording", { action });
    t.is(r.status, 403, action);
    t.is(r.body.error?.code, "CTI_ERR_RECORDING_NOT_ALLOWED", action);
  }
  t.is((await api(f, "POST", "/agents/1001/recording", { action: "record" })).body.error?.code, "CTI_ERR_BAD_REQUEST");
  t.is((await api(f, "GET", "/agents/1002/recording")).body.error?.code, "CTI_ERR_AGENT_NOT_LOGGED_ON");
  const openapi = (await api(f, "GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
  t.deepEqual(openApi30Problems(openapi), [], "the recording routes' schemas are valid OpenAPI 3.0");
  t.deepEqual(Object.keys(openapi.paths["/agents/{logonId}/recording"] ?? {}).sort(), ["get", "post"]);
  await c.caller.done;
  await eventually(() => (f.events.some((e) => e.event === "call.cleared") ? true : undefined), 3000, "call cleared");
  const after = await api(f, "GET", "/agents/1001/recording");
  t.is(after.status, 409);
  t.is(after.body.error?.code, "CTI_ERR_RECORDING_NO_CONVERSATION", "no conversation once the call is over");
  await allPortsFree(f);
});

test("onDemand: joins are refused (480) until the agent starts recording; stop sends the recorder BYE and refuses joins again; an unknown token is 404; events on the WebSocket", async (t) => {
  const f = await recordingFixture(t, "  allowedRecorders: [127.0.0.1]\n  mode: onDemand");
  const ws = await EventClient.connect(`${f.httpUrl.replace("http", "ws")}/events?events=recording.*`);
  t.teardown(() => ws.close());
  const c = await conversation(f, t, 6000);
  t.like((await api(f, "GET", "/agents/1001/recording")).body, { state: "stopped", mode: "onDemand", recorders: 0 });

  const early = await recorderCall(f, t, c.user, await rtpPeer(t), 480);
  t.is((await early.done).exitCode, 0, "480 while recording is stopped");
  t.like(f.recording.at(-1), { event: "recording.joinFailed", data: { reason: "recording of the conversation is stopped" } });
  const wrong = await recorderCall(f, t, `rec-${randomBytes(16).toString("hex")}`, await rtpPeer(t), 404);
  t.is((await wrong.done).exitCode, 0, "404 for an unknown token");
  const malformed = await recorderCall(f, t, "rec-123", await rtpPeer(t), 404);
  t.is((await malformed.done).exitCode, 0, "404 for a malformed token");
  t.deepEqual(f.recording.filter((e) => e.event === "recording.joinFailed").map((e) => [e.data.callId === "" ? "no call" : "call", e.data.reason]), [
    ["call", "recording of the conversation is stopped"],
    ["no call", "unknown or expired recording URI"],
    ["no call", "unknown or expired recording URI"],
  ]);

  const pauseFirst = await api(f, "POST", "/agents/1001/recording", { action: "pause" });
  t.is(pauseFirst.body.error?.code, "CTI_ERR_RECORDING_STATE", "nothing to pause while stopped");
  const started = await api(f, "POST", "/agents/1001/recording", { action: "start" });
  t.is(started.status, 200);
  t.like(started.body, { state: "recording", recorders: 0 });
  t.like((await api(f, "POST", "/agents/1001/recording", { action: "start" })).body, { state: "recording" }, "starting again changes nothing");

  const sink = await rtpPeer(t);
  const recorder = await recorderCall(f, t, c.user, sink);
  await answered(recorder);
  await eventually(() => (sink.packets.length >= 10 ? true : undefined), 2000, "RTP at the recorder");
  t.like((await api(f, "GET", "/agents/1001/recording")).body, { state: "recording", recorders: 1 });

  const stopped = await api(f, "POST", "/agents/1001/recording", { action: "stop" });
  t.like(stopped.body, { state: "stopped", recorders: 0 });
  const result = await recorder.done;
  t.true(result.received.byeFromRemote, "stop sends the recorder BYE");
  t.true(c.caller.process.running, "while the conversation goes on");
  const late = await recorderCall(f, t, c.user, await rtpPeer(t), 480);
  t.is((await late.done).exitCode, 0, "joins are refused again after stop");

  await ws.waitFor(2);
  t.deepEqual(ws.messages.map((m) => [m.event, m.data.cause]), [["recording.started", "request"], ["recording.stopped", "request"]], "joinFailed is not streamed");
  t.like(ws.messages[0]!.data, { logonId: "1001", recordingUri: c.uri, serviceGroup: "Sales" });
  await c.caller.done;
  await allPortsFree(f);
});

test("pause: the recorder hears silence in the same RTP stream until resume; alwaysAllowStop lets the agent stop but not start", async (t) => {
  const f = await recordingFixture(t, "  allowedRecorders: [127.0.0.1]\n  mode: alwaysAllowStop");
  const c = await conversation(f, t, 6000);
  const sink = await rtpPeer(t);
  const recorder = await recorderCall(f, t, c.user, sink);
  await answered(recorder);

  // The caller talks for 3.2 s without a break; the agent is silent. Paused from ~0.8 s to ~1.8 s.
  const talking = c.callerSink.talk(c.towardsCaller, { payloadType: 0, fill: CALLER_CODE, count: 160 });
  await new Promise((r) => setTimeout(r, 800));
  const paused = await api(f, "POST", "/agents/1001/recording", { action: "pause" });
  t.like(paused.body, { state: "paused", recorders: 1 });
  const pausedAt = performance.now();
  await new Promise((r) => setTimeout(r, 1000));
  const resumeAt = performance.now();
  t.like((await api(f, "POST", "/agents/1001/recording", { action: "resume" })).body, { state: "recording", recorders: 1 });
  await talking;

  const before = sink.packets.filter((p) => p.at < pausedAt - 60);
  const during = sink.packets.filter((p) => p.at > pausedAt + 60 && p.at < resumeAt - 60);
  const after = sink.packets.filter((p) => p.at > resumeAt + 100);
  t.true(before.filter(isFrameOf(CALLER_CODE)).length >= 15, "the caller is heard before the pause");
  t.true(during.length >= 40, `the stream goes on while paused (${during.length} packets)`);
  t.true(during.every(isFrameOf(ULAW_SILENCE)), "nothing but silence while paused, though the caller talks");
  t.true(after.filter(isFrameOf(CALLER_CODE)).length >= 30, "the caller is heard again after resume");
  assertOneStream(t, sink.packets);

  const start = await api(f, "POST", "/agents/1001/recording", { action: "start" });
  t.is(start.status, 403);
  t.is(start.body.error?.code, "CTI_ERR_RECORDING_NOT_ALLOWED");
  t.like((await api(f, "POST", "/agents/1001/recording", { action: "stop" })).body, { state: "stopped" });
  t.true((await recorder.done).received.byeFromRemote, "stop sends the recorder BYE");
  t.deepEqual(f.recording.map((e) => `${e.event}:${e.data.cause}`), ["recording.started:mode", "recording.paused:request", "recording.resumed:request", "recording.stopped:request"]);
  await c.caller.done;
  await allPortsFree(f);
});
