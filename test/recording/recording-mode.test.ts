// The manual's table "Integrating with Mitel Interaction Recording": who records and what the agent may ask for.
import test from "ava";
import { RECORDING_ACTIONS, RECORDING_MODES, recordsFromStart, refusalOf, type RecordingAction, type RecordingMode } from "../../cti/recording/recording-mode.js";
import { recordingConfigSchema } from "../../cti/recording/recording-config.js";

const allowed = (mode: RecordingMode, privileged = true) => RECORDING_ACTIONS.filter((a) => refusalOf(mode, a, privileged) === undefined);

test("Always Record – No Manual Override: recorded from the start, the agent can neither start, stop nor pause", (t) => {
  t.true(recordsFromStart("always"));
  t.deepEqual(allowed("always"), []);
  t.regex(refusalOf("always", "stop", true)!, /mode always does not let the agent stop/);
});

test("On Demand + Do Not Record – Allow Manual Override: not recorded until the agent starts; start, stop, pause and resume", (t) => {
  t.false(recordsFromStart("onDemand"));
  t.deepEqual(allowed("onDemand"), ["start", "stop", "pause", "resume"]);
  t.deepEqual(allowed("onDemand", false), ["start", "stop", "pause", "resume"], "no privilege needed in this mode");
});

test("On Demand + Always Record – Allow Manual Override: recorded from the start, the agent may stop (and pause), not start", (t) => {
  t.true(recordsFromStart("alwaysAllowStop"));
  t.deepEqual(allowed("alwaysAllowStop"), ["stop", "pause", "resume"]);
});

test("Discard by Default: recorded from the start; start/stop only with the Record Calls privilege", (t) => {
  t.true(recordsFromStart("discardByDefault"));
  t.deepEqual(allowed("discardByDefault", true), ["start", "stop", "pause", "resume"]);
  t.deepEqual(allowed("discardByDefault", false), []);
  t.regex(refusalOf("discardByDefault", "start", false)!, /Record Calls privilege/);
});

test("every mode has a rule for every action", (t) => {
  for (const mode of RECORDING_MODES) for (const action of RECORDING_ACTIONS) t.notThrows(() => refusalOf(mode, action as RecordingAction, false));
});

test("the recording section: defaults (off, always, everyone privileged), IPv4 recorders only, unknown keys and modes refused", (t) => {
  t.deepEqual(recordingConfigSchema.parse({}), { allowedRecorders: [], mode: "always", recordCallsAgents: "*" });
  t.deepEqual(recordingConfigSchema.parse({ allowedRecorders: ["10.0.0.5"], mode: "discardByDefault", recordCallsAgents: [1001, "1002"] }), {
    allowedRecorders: ["10.0.0.5"],
    mode: "discardByDefault",
    recordCallsAgents: ["1001", "1002"],
  });
  t.false(recordingConfigSchema.safeParse({ allowedRecorders: ["recorder.example"] }).success);
  t.false(recordingConfigSchema.safeParse({ mode: "sometimes" }).success);
  t.false(recordingConfigSchema.safeParse({ enabled: true }).success);
});
