// The registry and its sessions over real media rooms (two UDP "phones" answered by real endpoints): URIs, the
// state machine of start/stop/pause/resume under each mode, the events, and the URI expiring with the conversation.
// Recorders joining over SIP are in test/integration/recording.test.ts.
import test from "ava";
import { EventBus, type BridgeEvents } from "../../cti/events/event-bus.js";
import { isCtiError, Errors } from "../../cti/errors.js";
import { silentLogger } from "../../cti/log.js";
import { MediaRoom } from "../../ivr/media/media-room.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { recordingConfigSchema } from "../../cti/recording/recording-config.js";
import { RecordingRegistry } from "../../cti/recording/recording-registry.js";
import { STREAMED_EVENTS } from "../../cti/api/event-filter.js";
import { audioOffer, newServer, RtpPeer } from "../media/media-test-helpers.js";
import type { TeardownContext } from "../harness/teardown-context.js";

const EVENTS = ["recording.started", "recording.stopped", "recording.paused", "recording.resumed", "call.established"] as const;

interface Rig {
  registry: RecordingRegistry;
  bus: EventBus;
  events: string[];
  server: MediaServer;
  /** A conversation: two answered endpoints, active in one room. */
  room(): Promise<{ room: MediaRoom; endpoints: MediaEndpoint[] }>;
}

async function rig(t: TeardownContext, recording: Record<string, unknown>): Promise<Rig> {
  const server = await newServer(8);
  const bus = new EventBus();
  const events: string[] = [];
  for (const name of EVENTS) bus.on(name, (e: BridgeEvents[typeof name][0]) => events.push(`${name}${"cause" in e ? `:${e.cause}` : ""}`));
  const registry = new RecordingRegistry({ config: recordingConfigSchema.parse(recording), sipAddress: "192.0.2.10", sipPort: 5080, media: server, bus, logger: silentLogger() });
  const peers: RtpPeer[] = [];
  t.teardown(() => {
    registry.close();
    server.close();
    for (const p of peers) p.close();
  });
  return {
    registry,
    bus,
    events,
    server,
    async room() {
      const room = new MediaRoom(silentLogger());
      const endpoints: MediaEndpoint[] = [];
      for (let i = 0; i < 2; i++) {
        const peer = await RtpPeer.create();
        peers.push(peer);
        const endpoint = await server.open();
        endpoint.answer(audioOffer(peer.port));
        room.join(endpoint, { role: "active" });
        endpoints.push(endpoint);
      }
      return { room, endpoints };
    },
  };
}

const conversation = (room: MediaRoom, logonId = "1001") => ({ room, callId: `call-${logonId}`, logonId, extension: `ext-${logonId}`, serviceGroup: "Sales" });

function code(t: import("ava").ExecutionContext, fn: () => unknown): string | undefined {
  const e = t.throws(fn);
  return isCtiError(e) ? e.code : undefined;
}

test("a registered conversation gets a sip:rec-<128 bits>@bridge URI; recording.started (mode) follows call.established", async (t) => {
  const r = await rig(t, { allowedRecorders: ["127.0.0.1"] });
  const { room } = await r.room();
  const uri = r.registry.register(conversation(room));
  r.bus.safeEmit("call.established", { callId: "call-1001", dialed: "3000", caller: { number: "5551" }, serviceAccess: "a", serviceGroup: "Sales", logonId: "1001", extension: "ext-1001", agentCallId: "x", recordingUri: uri, waitMs: 0 });
  t.regex(uri!, /^sip:rec-[0-9a-f]{32}@192\.0\.2\.10:5080$/);
  await Promise.resolve();
  t.deepEqual(r.events, ["call.established", "recording.started:mode"]);
  t.deepEqual(r.registry.view("1001"), { callId: "call-1001", logonId: "1001", extension: "ext-1001", serviceGroup: "Sales", state: "recording", mode: "always", recorders: 0, recordingUri: uri! });
  t.not(r.registry.register(conversation((await r.room()).room, "1002")), uri, "every conversation its own token");
});

test("without allowed recorders recording is off: no URI, and the agent's requests say so", async (t) => {
  const r = await rig(t, {});
  const { room } = await r.room();
  t.is(r.registry.register(conversation(room)), undefined);
  const e = t.throws(() => r.registry.control("1001", "start"));
  t.true(isCtiError(e, Errors.RECORDING_NO_CONVERSATION));
  t.regex(e!.message, /recording is off/);
  t.true(r.registry.isRecordingTarget("rec-anything"), "recorder INVITEs are still the registry's (and refused)");
});

test("onDemand: stopped at first; start → pause → resume → stop, each once, with its event; moves the state does not allow are RECORDING_STATE", async (t) => {
  const r = await rig(t, { allowedRecorders: ["127.0.0.1"], mode: "onDemand" });
  r.registry.register(conversation((await r.room()).room));
  await Promise.resolve();
  t.is(r.registry.view("1001").state, "stopped");
  t.deepEqual(r.events, [], "no recording.started in onDemand");
  t.is(code(t, () => r.registry.control("1001", "pause")), "CTI_ERR_RECORDING_STATE");
  t.is(code(t, () => r.registry.control("1001", "resume")), "CTI_ERR_RECORDING_STATE");
  t.is(r.registry.control("1001", "start").state, "recording");
  t.is(r.registry.control("1001", "start").state, "recording", "again: unchanged");
  t.is(r.registry.control("1001", "pause").state, "paused");
  t.is(code(t, () => r.registry.control("1001", "start")), "CTI_ERR_RECORDING_STATE", "paused: resume, not start");
  t.is(r.registry.control("1001", "resume").state, "recording");
  t.is(r.registry.control("1001", "stop").state, "stopped");
  t.is(r.registry.control("1001", "stop").state, "stopped");
  t.deepEqual(r.events, ["recording.started:request", "recording.paused:request", "recording.resumed:request", "recording.stopped:request"]);
  t.is(code(t, () => r.registry.view("1002")), "CTI_ERR_RECORDING_NO_CONVERSATION", "an agent without a conversation");
});

test("discardByDefault: only agents with the Record Calls privilege may stop or start", async (t) => {
  const r = await rig(t, { allowedRecorders: ["127.0.0.1"], mode: "discardByDefault", recordCallsAgents: ["1001"] });
  r.registry.register(conversation((await r.room()).room, "1001"));
  r.registry.register(conversation((await r.room()).room, "1002"));
  t.is(code(t, () => r.registry.control("1002", "stop")), "CTI_ERR_RECORDING_NOT_ALLOWED");
  t.is(r.registry.view("1002").state, "recording");
  t.is(r.registry.control("1001", "stop").state, "stopped");
  t.is(r.registry.control("1001", "start").state, "recording");
});

test("the URI expires with the conversation: when the room closes, or when the last active participant leaves it", async (t) => {
  const r = await rig(t, { allowedRecorders: ["127.0.0.1"] });
  const first = await r.room();
  r.registry.register(conversation(first.room, "1001"));
  const second = await r.room();
  r.registry.register(conversation(second.room, "1002"));
  t.is(r.registry.size, 2);
  first.room.close();
  t.is(r.registry.size, 1);
  t.is(code(t, () => r.registry.view("1001")), "CTI_ERR_RECORDING_NO_CONVERSATION");
  second.room.leave(second.endpoints[0]!);
  t.is(r.registry.view("1002").state, "recording", "one active participant left: still a conversation");
  second.endpoints[1]!.close();
  t.is(r.registry.size, 0, "no active participant left");
  t.is(r.registry.register(conversation(first.room, "1003")), undefined, "a closed room is not registered");
});

test("an agent's next conversation replaces the previous one's recording", async (t) => {
  const r = await rig(t, { allowedRecorders: ["127.0.0.1"] });
  const a = r.registry.register(conversation((await r.room()).room));
  const b = r.registry.register(conversation((await r.room()).room));
  t.is(r.registry.size, 1);
  t.is(r.registry.view("1001").recordingUri, b!);
  t.not(a, b);
});

test("every recording state event of the bus is streamed on the WebSocket; recording.joinFailed is not (an attack signal)", (t) => {
  const streamed = STREAMED_EVENTS as readonly string[];
  for (const name of ["recording.started", "recording.stopped", "recording.paused", "recording.resumed"]) t.true(streamed.includes(name), name);
  t.false(streamed.includes("recording.joinFailed"));
});
