import test from "ava";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { ScriptLibrary, parseScript } from "../../ivr/script-library.js";
import { YamlSource } from "../../cti/config/yaml-source.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import { MemoryChannel } from "./memory-channel.js";

const facts: CallFacts = { ANI: "1001", DNIS: "2000", CALL_ID: "c1", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1", LOGON_ATTEMPTS: "3" };

function logonActions(results: string[]) {
  const calls: Record<string, string>[] = [];
  const actions = new ActionRegistry().register("agent.logon", async (args) => {
    calls.push({ ...args });
    return results.shift() ?? "invalid";
  });
  for (const name of ["agent.logoff", "agent.ready", "agent.notReady"]) actions.register(name, async () => "ok");
  return { actions, calls };
}

function library(actions: ActionRegistry) {
  const lib = new ScriptLibrary({ directories: [], actionNames: actions.names, promptExists: () => true });
  lib.loadAll(["phone-agent-logon", "phone-agent-logoff", "phone-agent-ready", "phone-agent-not-ready", "benchmark-prompt"]);
  return lib;
}

function inline(yaml: string, actions: ActionRegistry) {
  return parseScript(YamlSource.fromText("inline.yaml", yaml), { actionNames: actions.names, promptExists: () => true });
}

test("the logon script asks for agent number and PIN and confirms the logon", async (t) => {
  const { actions, calls } = logonActions(["ok"]);
  const channel = new MemoryChannel();
  channel.onPrompt.set("enter-agent-id", ["1001#"]);
  channel.onPrompt.set("enter-pin", ["1234#"]);
  const result = await new ScriptEngine({ actions, logger: silentLogger() }).run(library(actions).get("phone-agent-logon")!, channel, facts);
  t.deepEqual(calls, [{ logonId: "1001", pin: "1234" }]);
  t.deepEqual(channel.played, [["enter-agent-id"], ["enter-pin"], ["logged-on"]]);
  t.is(result.outcome, "disconnected");
  t.true(channel.hungUp);
});

test("a wrong number or PIN re-prompts, and the third failure ends the call", async (t) => {
  const { actions, calls } = logonActions(["invalid", "invalid", "invalid"]);
  const channel = new MemoryChannel();
  channel.onPrompt.set("enter-agent-id", ["1001#", "1001#", "1001#"]);
  channel.onPrompt.set("enter-pin", ["9999#", "8888#", "7777#"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(library(actions).get("phone-agent-logon")!, channel, facts);
  t.is(calls.length, 3);
  t.deepEqual(channel.played.map((p) => p[0]), [
    "enter-agent-id", "enter-pin", "logon-failed",
    "enter-agent-id", "enter-pin", "logon-failed",
    "enter-agent-id", "enter-pin", "too-many-attempts",
  ]);
  t.true(channel.hungUp);
});

test("a locked account hears the locked prompt", async (t) => {
  const { actions } = logonActions(["locked"]);
  const channel = new MemoryChannel();
  channel.onPrompt.set("enter-agent-id", ["1001#"]);
  channel.onPrompt.set("enter-pin", ["1234#"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(library(actions).get("phone-agent-logon")!, channel, facts);
  t.deepEqual(channel.played.at(-1), ["account-locked"]);
});

test("keys pressed during a prompt are kept: typing ahead skips the next prompt", async (t) => {
  const { actions, calls } = logonActions(["ok"]);
  const channel = new MemoryChannel();
  channel.onPrompt.set("enter-agent-id", ["1001#1234#"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(library(actions).get("phone-agent-logon")!, channel, facts);
  t.deepEqual(calls, [{ logonId: "1001", pin: "1234" }]);
  t.deepEqual(channel.played, [["enter-agent-id"], ["logged-on"]]);
});

const COLLECT = (extra: string) => `script: t
start: ask
blocks:
  ask:
    type: collect
    prompts: [question]
    into: answer
    firstDigitTimeout: 80ms
    interDigitTimeout: 80ms
${extra}
    onNoInput: none
    next: got
  got:
    type: action
    action: test.record
    with: { value: "\${answer}" }
  none:
    type: play
    prompts: [nothing]
`;

function recorder() {
  const values: string[] = [];
  const actions = new ActionRegistry().register("test.record", async (args) => {
    values.push(args.value!);
    return "ok";
  });
  return { actions, values };
}

test("no input re-prompts the given number of times, then takes the no-input branch", async (t) => {
  const { actions, values } = recorder();
  const channel = new MemoryChannel();
  await new ScriptEngine({ actions, logger: silentLogger() }).run(inline(COLLECT("    retries: 2"), actions), channel, facts);
  t.deepEqual(channel.played, [["question"], ["question"], ["question"], ["nothing"]]);
  t.deepEqual(values, []);
});

test("max digits ends the entry without a terminator; the inter-digit timeout ends it too", async (t) => {
  const { actions, values } = recorder();
  const c1 = new MemoryChannel();
  c1.onPrompt.set("question", ["12345"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(inline(COLLECT("    maxDigits: 3"), actions), c1, facts);
  const c2 = new MemoryChannel();
  c2.onPrompt.set("question", ["77"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(inline(COLLECT("    maxDigits: 8"), actions), c2, facts);
  t.deepEqual(values, ["123", "77"]);
});

test("too few digits count as no input and re-prompt", async (t) => {
  const { actions, values } = recorder();
  const channel = new MemoryChannel();
  channel.onPrompt.set("question", ["1#", "1234#"]);
  await new ScriptEngine({ actions, logger: silentLogger() }).run(inline(COLLECT("    minDigits: 4"), actions), channel, facts);
  t.deepEqual(values, ["1234"]);
  t.is(channel.played.length, 2);
});

test("the caller hanging up stops the script", async (t) => {
  const { actions, values } = recorder();
  const channel = new MemoryChannel();
  const engine = new ScriptEngine({ actions, logger: silentLogger() });
  const run = engine.run(inline(COLLECT("    retries: 0").replace("firstDigitTimeout: 80ms", "firstDigitTimeout: 5s"), actions), channel, facts);
  setTimeout(() => channel.callerHangsUp(), 30);
  const result = await run;
  t.is(result.outcome, "callerHungUp");
  t.deepEqual(values, []);
});

test("a failing action is a script error: published, error prompt, hang up", async (t) => {
  const actions = new ActionRegistry().register("test.fail", async () => {
    throw new Error("database down");
  });
  const bus = new EventBus();
  const errors: unknown[] = [];
  bus.on("ivr.scriptError", (e) => errors.push(e));
  const channel = new MemoryChannel();
  const script = inline("script: t\nstart: a\nblocks:\n  a:\n    type: action\n    action: test.fail\n", actions);
  const result = await new ScriptEngine({ actions, logger: silentLogger(), bus }).run(script, channel, facts);
  t.is(result.outcome, "error");
  t.like(errors[0], { script: "t", block: "a", callId: "test-call", message: "database down" });
  t.deepEqual(channel.played, [["service-unavailable"]]);
  t.true(channel.hungUp);
});

test("a loop that never waits for the caller is stopped as a script error", async (t) => {
  const actions = new ActionRegistry();
  const channel = new MemoryChannel();
  const script = inline("script: t\nstart: a\nblocks:\n  a:\n    type: assign\n    increment: [n]\n    next: a\n", actions);
  const result = await new ScriptEngine({ actions, logger: silentLogger() }).run(script, channel, facts);
  t.is(result.outcome, "error");
});

test("branch, assign and templates work together", async (t) => {
  const { actions, values } = recorder();
  const script = inline(
    `script: t
variables: { tries: 0 }
start: set
blocks:
  set:
    type: assign
    set: { who: "\${ANI}-\${DNIS}" }
    increment: [tries, tries]
    next: check
  check:
    type: branch
    cases:
      - if: { var: tries, equals: 1 }
        next: wrong
      - if: { var: who, matches: "^1001-" }
        next: right
    else: wrong
  right:
    type: action
    action: test.record
    with: { value: "\${who}/\${tries}" }
  wrong:
    type: disconnect
`,
    actions,
  );
  await new ScriptEngine({ actions, logger: silentLogger() }).run(script, new MemoryChannel(), facts);
  t.deepEqual(values, ["1001-2000/2"]);
});
