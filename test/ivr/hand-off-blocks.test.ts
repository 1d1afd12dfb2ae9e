// The blocks that hand a call on — deflect (with data), divert, queue: validated at load with file and line, and run
// by the engine: success ends the script without hanging up (the call is someone else's now), failure takes the
// failure branch, and a call that cannot be handed on from where it is takes it too. The SIP side of deflect is
// tested with real peers in test/integration/customer-authentication.test.ts; here the engine's side, in memory.
import test from "ava";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { ScriptLibrary, parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { silentLogger } from "../../cti/log.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import type { CallHandOff, DeflectRequest, DivertRequest, HandOffResult, QueueRequest } from "../../ivr/call-hand-off.js";
import { MemoryChannel } from "./memory-channel.js";

const facts: CallFacts = { ANI: "5551", DNIS: "3000", CALL_ID: "c1", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1", PRIVATE_DATA: "1001" };
const actions = new ActionRegistry();
const options = { actionNames: actions.names, promptExists: () => true };

function script(yaml: string) {
  return parseScript(YamlSource.fromText("auth.yaml", yaml), options);
}

function problems(yaml: string): string[] {
  try {
    script(yaml);
  } catch (e) {
    if (e instanceof SourceInvalidError) return e.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`);
    throw e;
  }
  throw new Error("expected the script to be refused");
}

/** Records what the blocks asked for and answers with the given results. */
class RecordingHandOff implements CallHandOff {
  readonly requests: (["deflect", DeflectRequest] | ["divert", DivertRequest] | ["queue", QueueRequest])[] = [];
  constructor(readonly result: HandOffResult) {}
  async deflect(r: DeflectRequest) {
    this.requests.push(["deflect", r]);
    return this.result;
  }
  async divert(r: DivertRequest) {
    this.requests.push(["divert", r]);
    return this.result;
  }
  async queue(r: QueueRequest) {
    this.requests.push(["queue", r]);
    return this.result;
  }
}

function channelWith(handOff?: CallHandOff): MemoryChannel {
  const channel = new MemoryChannel();
  if (handOff) Object.defineProperty(channel, "handOff", { value: handOff });
  return channel;
}

const run = (yaml: string, channel: MemoryChannel) => new ScriptEngine({ actions, logger: silentLogger() }).run(script(yaml), channel, facts);

const DEFLECT = `script: auth
start: ask
blocks:
  ask: { type: collect, prompts: [enter-customer-number], into: customer, minDigits: 4, maxDigits: 4 }
  back: { type: deflect, associatedData: "ok:\${customer}", failure: sorry }
  sorry: { type: play, prompts: [service-unavailable], next: bye }
  bye: { type: disconnect }
`.replace("maxDigits: 4 }", "maxDigits: 4, next: back }");

test("deflect with data: the private data is the default destination, the associated data is filled; success ends the script without hanging up", async (t) => {
  const handOff = new RecordingHandOff("ok");
  const channel = channelWith(handOff);
  channel.onPrompt.set("enter-customer-number", ["1234"]);
  const result = await run(DEFLECT, channel);
  t.is(result.outcome, "handedOff");
  t.is(result.lastBlock, "back");
  t.false(channel.hungUp, "the call belongs to the agent now");
  t.is(handOff.requests.length, 1);
  const [kind, request] = handOff.requests[0]!;
  t.is(kind, "deflect");
  t.like(request, { destination: "1001", associatedData: "ok:1234" });
});

test("deflect failure (agent no longer reserved) takes the failure branch", async (t) => {
  const channel = channelWith(new RecordingHandOff("failure"));
  channel.onPrompt.set("enter-customer-number", ["1234"]);
  const result = await run(DEFLECT, channel);
  t.is(result.outcome, "disconnected");
  t.deepEqual(channel.played, [["enter-customer-number"], ["service-unavailable"]]);
  t.true(channel.hungUp);
});

test("a call that cannot be handed on (no hand-off where it runs) takes the failure branch; without one the script ends", async (t) => {
  const channel = channelWith();
  channel.onPrompt.set("enter-customer-number", ["1234"]);
  t.is((await run(DEFLECT, channel)).lastBlock, "bye");
  t.deepEqual(channel.played.at(-1), ["service-unavailable"]);

  const bare = channelWith();
  const result = await run("script: s\nstart: q\nblocks:\n  q: { type: queue, serviceGroup: Sales }\n", bare);
  t.is(result.outcome, "disconnected");
  t.true(bare.hungUp);
});

test("an empty destination (Send DN from Agent off, nothing set) fails without asking anyone", async (t) => {
  const handOff = new RecordingHandOff("ok");
  const channel = channelWith(handOff);
  const result = await new ScriptEngine({ actions, logger: silentLogger() }).run(
    script("script: s\nstart: d\nblocks:\n  d: { type: deflect, failure: bye }\n  bye: { type: disconnect }\n"),
    channel,
    { ...facts, PRIVATE_DATA: "" },
  );
  t.is(result.lastBlock, "bye");
  t.is(handOff.requests.length, 0);
});

test("divert to a number or a BVD and queue to a service group pass their filled fields", async (t) => {
  const handOff = new RecordingHandOff("ok");
  await run("script: s\nvariables: { target: '5000' }\nstart: d\nblocks:\n  d: { type: divert, number: '${target}', ringTime: 10s }\n", channelWith(handOff));
  await run("script: s\nstart: d\nblocks:\n  d: { type: divert, bvd: 3000 }\n", channelWith(handOff));
  await run("script: s\nvariables: { group: Support }\nstart: q\nblocks:\n  q: { type: queue, serviceGroup: '${group}', priority: 7 }\n", channelWith(handOff));
  t.deepEqual(handOff.requests.map(([kind, r]) => [kind, { ...r, profile: undefined }]), [
    ["divert", { number: "5000", ringTimeMs: 10_000, profile: undefined }],
    ["divert", { bvd: "3000", ringTimeMs: 30_000, profile: undefined }],
    ["queue", { serviceGroup: "Support", priority: 7, profile: undefined }],
  ]);
});

test("hand-off blocks are checked at load with file and line", (t) => {
  const found = problems(
    [
      "script: s", //                                        1
      "start: a", //                                         2
      "blocks:", //                                          3
      "  a:", //                                             4
      "    type: deflect", //                                5
      "    failure: nowhere", //                             6
      "  b:", //                                             7
      "    type: divert", //                                 8
      "    ringTime: soon", //                               9
      "  c:", //                                             10
      "    type: divert", //                                 11
      "    number: '5000'", //                               12
      "    bvd: '3000'", //                                  13
      "  d:", //                                             14
      "    type: queue", //                                  15
      "    serviceGroup: 'no group!'", //                    16
      "    priority: 101", //                                17
      "  e:", //                                             18
      "    type: deflect", //                                19
      "    next: a", //                                      20
    ].join("\n"),
  );
  const has = (prefix: string) => t.true(found.some((p) => p.startsWith(prefix)), `${prefix}\n${found.join("\n")}`);
  has('auth.yaml:6: no block named "nowhere"');
  has("auth.yaml:9: blocks.b.ringTime");
  has("auth.yaml:8: blocks.b.number: a divert block needs either number or bvd");
  has("auth.yaml:12: blocks.c.number: a divert block needs either number or bvd");
  has("auth.yaml:16: blocks.d.serviceGroup");
  has("auth.yaml:17: blocks.d.priority");
  has('auth.yaml:20: blocks.e: unknown key "next"');
});

test("the demo customer authentication script loads", (t) => {
  const library = new ScriptLibrary({ directories: [], ...options });
  library.loadAll(["customer-authentication"]);
  const loaded = library.get("customer-authentication")!;
  t.like(loaded.blocks.get("back-to-agent"), { type: "deflect", destination: "${PRIVATE_DATA}", associatedData: "ok:${customerNumber}", failure: "sorry" });
});
