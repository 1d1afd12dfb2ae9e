// The call profile: exactly the manual's fields (seed 003, Table 1 "Call Profile Mandatory Fields"), set by the
// profile block, read by scripts as ${PROFILE_…}, handed to actions and back to whoever runs the script.
import test from "ava";
import { ActionRegistry, type ActionContext } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { silentLogger } from "../../cti/log.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import { CALL_PROFILE_FIELDS, CallProfile, profileFactName, tapiPropertyName } from "../../ivr/blocks/call-profile.js";
import { MemoryChannel } from "./memory-channel.js";

/** Table 1 of the manual, in its order: TAPI call property, call profile name. */
const MANUAL_TABLE_1 = `_STCC_ANI ANI|_STCC_Agent Queue Agent Queue|_STCC_Group Group|_STCC_Trunk Trunk|_STCC_Call ID Call ID|
_STCC_Caller Name Caller Name|_STCC_DNIS DNIS|_STCC_DNIS Name DNIS Name|_STCC_Type Call Type|_STCC_Media Media|
_STCC_Priority Priority|_STCC_Service Service|_STCC_Customer Number Customer Number|_STCC_Customer Name Customer Name|
_STCC_ACD Enter Date ACD Enter Date|_STCC_ACD Enter Time ACD Enter Time|_STCC_Queue Position Queue Position|
_STCC_Average Queue Time Average Queue Time|_STCC_Call Back Time Call Back Time|_STCC_Call Back Date Call Back Date|
_STCC_Call Back Destination Call Back Destination|_STCC_Language Language|_STCC_Agent Extension Agent Extension|
_STCC_Agent Number Agent Number|_STCC_Dial List ID Dial List ID|_STCC_Start Queue Time Start Queue Time|
_STCC_Execute Req Execute Req|_STCC_Trunk Number Trunk Number|_STCC_Email To Email To|_STCC_Email CC Email CC|
_STCC_Email Subject Email Subject|_STCC_Email From Email From|_STCC_Email Sent Date Email Sent Date|
_STCC_Email Sent Time Email Sent Time|_STCC_Email Enter OMS Date Email Enter OMS Date|
_STCC_Email Enter OMS Time Email Enter OMS Time|_STCC_Primary Call Back Destination Primary Call Back Destination|
_STCC_Alternative Call Back Destination 1 Alternative Call Back Destination 1|
_STCC_Alternative Call Back Destination 2 Alternative Call Back Destination 2|
_STCC_Last Time To Initiate Callback Last Time To Initiate Callback|_STCC_Alternative Call ID Alternative Call ID|
_STCC_Outbound Caller ID Outbound Caller ID|_STCC_SW Call GUID SW Call GUID`
  .split("|")
  .map((row) => row.trim());

const facts: CallFacts = { ANI: "0701234567", DNIS: "3000", CALL_ID: "abc@host", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1", CALLER_NAME: "Åsa" };

test("the fields are exactly the manual's mandatory fields, in its order, with its TAPI property names", (t) => {
  t.is(MANUAL_TABLE_1.length, 43);
  t.deepEqual(
    CALL_PROFILE_FIELDS.map((field) => `${tapiPropertyName(field)} ${field}`),
    MANUAL_TABLE_1,
  );
});

test("every field has its own ${PROFILE_…} name", (t) => {
  const facts = CALL_PROFILE_FIELDS.map(profileFactName);
  t.is(new Set(facts).size, facts.length);
  t.is(profileFactName("Customer Number"), "PROFILE_CUSTOMER_NUMBER");
  t.is(profileFactName("Alternative Call Back Destination 1"), "PROFILE_ALTERNATIVE_CALL_BACK_DESTINATION_1");
  t.true(facts.every((f) => /^[A-Z_][A-Z0-9_]*$/.test(f)), "usable in ${…} templates");
});

test("a new call's profile knows ANI, DNIS, Call ID, Caller Name, type and media", (t) => {
  t.deepEqual(CallProfile.forCall(facts).toJSON(), {
    ANI: "0701234567",
    "Call ID": "abc@host",
    "Caller Name": "Åsa",
    DNIS: "3000",
    "Call Type": "Voice",
    Media: "VOICE",
  });
});

test("the profile block sets fields from templates, clears with \"\", and scripts and actions read them", async (t) => {
  const seen: { args: Record<string, string>; profile: Record<string, string> }[] = [];
  const actions = new ActionRegistry().register("test.record", async (args, context: ActionContext) => {
    seen.push({ args: { ...args }, profile: { ...context.profile!.toJSON() } });
    return "ok";
  });
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t
variables: { digits: "4711" }
start: set
blocks:
  set:
    type: profile
    set:
      Customer Number: \${digits}
      Service: Sales
      Priority: 5
      Media: ""
    next: check
  check:
    type: branch
    cases:
      - if: { var: PROFILE_PRIORITY, greaterThan: 3 }
        next: record
    else: done
  record:
    type: action
    action: test.record
    with: { number: "\${PROFILE_CUSTOMER_NUMBER}", service: "\${PROFILE_SERVICE}", media: "\${PROFILE_MEDIA}", ani: "\${PROFILE_ANI}" }
    next: done
  done: { type: disconnect }
`,
    ),
    { actionNames: actions.names, promptExists: () => true },
  );
  const profile = CallProfile.forCall(facts);
  const result = await new ScriptEngine({ actions, logger: silentLogger() }).run(script, new MemoryChannel(), facts, { profile });
  t.deepEqual(seen[0]?.args, { number: "4711", service: "Sales", media: "", ani: "0701234567" });
  t.like(seen[0]?.profile, { "Customer Number": "4711", Service: "Sales", Priority: "5" });
  t.is(result.profile, profile, "the caller's profile object is updated in place and handed back");
  t.is(profile.get("Media"), undefined, "\"\" cleared the field");
  t.is(profile.get("Call ID"), "abc@host");
});

test("without a profile given, the engine makes one from the call facts and returns it", async (t) => {
  const script = parseScript(
    YamlSource.fromText("t.yaml", "script: t\nstart: p\nblocks:\n  p:\n    type: profile\n    set: { Language: 0 }\n"),
    { actionNames: new Set(), promptExists: () => true },
  );
  const result = await new ScriptEngine({ actions: new ActionRegistry(), logger: silentLogger() }).run(script, new MemoryChannel(), facts);
  t.like(result.profile.toJSON(), { ANI: "0701234567", DNIS: "3000", Language: "0" });
});

test("profile blocks are checked at load: field names are case-sensitive, Call ID is the bridge's, lines given", (t) => {
  const yaml = `script: t
start: a
blocks:
  a:
    type: profile
    set:
      customer number: x
      Call ID: y
      Favourite Colour: z
  b:
    type: profile
    set: {}
  c:
    type: profile
    set: { Service: Sales }
    next: nowhere
`;
  const error = t.throws(() => parseScript(YamlSource.fromText("t.yaml", yaml), { actionNames: new Set(), promptExists: () => true }), {
    instanceOf: SourceInvalidError,
  })!;
  t.deepEqual(
    error.problems.map((p) => `${p.line}: ${p.reason}`),
    [
      '7: blocks.a.set.customer number: no call profile field "customer number" (names are case-sensitive: "Customer Number")',
      '8: blocks.a.set.Call ID: the call profile field "Call ID" is kept by the bridge and cannot be set',
      '9: blocks.a.set.Favourite Colour: no call profile field "Favourite Colour" (see README "Call profile")',
      "12: blocks.b.set: set at least one call profile field",
      '16: no block named "nowhere"',
    ],
  );
});
