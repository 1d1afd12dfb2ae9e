// The IVR `objectTag` block: checked at load with file and line; run by the script engine against a real SQLite
// store, reading a tag for the call's service access, service group, agent and dialed number.
import test from "ava";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { silentLogger } from "../../cti/log.js";
import { ActionRegistry } from "../../ivr/actions.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { parseScript } from "../../ivr/script-library.js";
import { CallProfile } from "../../ivr/blocks/call-profile.js";
import { MemoryChannel } from "../ivr/memory-channel.js";
import { openTagStore, TENANT } from "./store-fixture.js";

const OPTIONS = { actionNames: new Set<string>(), promptExists: () => true };
const FACTS: CallFacts = { ANI: "5551234", DNIS: "0800 ACME", CALL_ID: "c1", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1" };

function problemsOf(yaml: string): string[] {
  try {
    parseScript(YamlSource.fromText("tags.yaml", yaml), OPTIONS);
    return [];
  } catch (e) {
    if (!(e instanceof SourceInvalidError)) throw e;
    return e.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`);
  }
}

/** A script that reads one tag and plays the found / notFound prompt, so the branch taken is visible. */
function script(block: string) {
  return parseScript(
    YamlSource.fromText(
      "tags.yaml",
      `script: tags
start: read
blocks:
  read:
${block}
    found: yes
    notFound: no
  yes: { type: play, prompts: [found] }
  no: { type: play, prompts: [not-found] }
`,
    ),
    OPTIONS,
  );
}

test("a broken objectTag block is refused at load with file and line", (t) => {
  const problems = problemsOf(`script: tags
start: read
blocks:
  read:
    type: objectTag
    tag: Region
    objectType: trunk
    into: region
    found: missing-block
  done: { type: disconnect }
`);
  t.true(problems.some((p) => /^tags\.yaml:7: .*serviceAccess.*serviceGroup.*agent.*dialedNumber/.test(p)), problems.join("\n"));
  const profile = problemsOf(`script: tags
start: read
blocks:
  read:
    type: objectTag
    tag: Region
    objectType: serviceGroup
    into: region
    intoProfile: service
`);
  t.true(profile.some((p) => /^tags\.yaml:9: .*no call profile field "service".*"Service"/.test(p)), profile.join("\n"));
  const refs = problemsOf(`script: tags
start: read
blocks:
  read:
    type: objectTag
    tag: Region
    objectType: serviceGroup
    into: region
    notFound: missing-block
`);
  t.true(refs.some((p) => /^tags\.yaml:9: no block named "missing-block"/.test(p)), refs.join("\n"));
  t.deepEqual(problemsOf(`script: tags
start: read
blocks:
  read: { type: objectTag, tag: Region, objectType: dialedNumber, into: region, next: done }
  done: { type: disconnect }
`), []);
});

test("the block reads the tag of the call's service group, service access, agent and dialed number", async (t) => {
  const f = await openTagStore(t);
  await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  await f.tags.define({ name: "Region", type: "text", allowed: ["serviceGroup", "serviceAccess", "agent", "dialedNumber"] });
  await f.tags.define({ name: "Backup", type: "serviceGroup", allowed: ["serviceGroup"] });
  await f.tags.addDialedNumber("0800 ACME");
  await f.tags.assign("Region", "serviceGroup", "Sales", "north");
  await f.tags.assign("Region", "serviceAccess", "sales-line", "east");
  await f.tags.assign("Region", "agent", "1001", "west");
  await f.tags.assign("Region", "dialedNumber", "0800 ACME", "south");
  await f.tags.assign("Backup", "serviceGroup", "Sales", "Support");
  const engine = new ScriptEngine({ actions: new ActionRegistry(), logger: silentLogger(), objectTags: f.tags });
  const facts = { ...FACTS, SERVICE_GROUP: "Sales", SERVICE_ACCESS: "sales-line" };

  const cases: [string, string][] = [
    ["objectType: serviceGroup", "north"],
    ["objectType: serviceAccess", "east"],
    ["objectType: dialedNumber", "south"],
    ["objectType: agent", "west"],
    ["objectType: agent\n    object: \"${ANI}\"", ""],
    ["objectType: serviceGroup\n    object: Support", ""],
  ];
  for (const [objectLines, expected] of cases) {
    const channel = new MemoryChannel();
    const profile = CallProfile.forCall(facts);
    profile.set("Agent Number", "1001");
    const result = await engine.run(
      script(`    type: objectTag\n    tag: Region\n    ${objectLines}\n    into: region\n    intoProfile: Service`),
      channel,
      facts,
      { profile },
    );
    t.is(result.outcome, "disconnected", objectLines);
    t.deepEqual(channel.played, [[expected ? "found" : "not-found"]], objectLines);
    t.is(profile.get("Service"), expected || undefined, objectLines);
  }

  // A service group tag gives the group's id, ready for a queue block.
  const channel = new MemoryChannel();
  const run = await engine.run(
    parseScript(
      YamlSource.fromText("t.yaml", `script: t
start: read
blocks:
  read: { type: objectTag, tag: Backup, objectType: serviceGroup, into: backup, found: check }
  check:
    type: branch
    cases: [{ if: { var: backup, equals: Support }, next: yes }]
    else: no
  yes: { type: play, prompts: [found] }
  no: { type: play, prompts: [not-found] }
`),
      OPTIONS,
    ),
    channel,
    facts,
  );
  t.is(run.outcome, "disconnected");
  t.deepEqual(channel.played, [["found"]]);
});

test("a store that cannot be read takes the error branch; without one the script ends with the error prompt", async (t) => {
  const f = await openTagStore(t);
  const engine = new ScriptEngine({ actions: new ActionRegistry(), logger: silentLogger(), objectTags: f.tags });
  await f.store.close();
  const withError = parseScript(
    YamlSource.fromText("t.yaml", `script: t
start: read
blocks:
  read: { type: objectTag, tag: Region, objectType: dialedNumber, into: region, found: a, notFound: a, error: sorry }
  a: { type: play, prompts: [a] }
  sorry: { type: play, prompts: [sorry] }
`),
    OPTIONS,
  );
  const channel = new MemoryChannel();
  await engine.run(withError, channel, FACTS);
  t.deepEqual(channel.played, [["sorry"]]);

  const noError = parseScript(
    YamlSource.fromText("t.yaml", `script: t
start: read
blocks:
  read: { type: objectTag, tag: Region, objectType: dialedNumber, into: region, next: a }
  a: { type: play, prompts: [a] }
`),
    OPTIONS,
  );
  const channel2 = new MemoryChannel();
  const result = await engine.run(noError, channel2, FACTS);
  t.is(result.outcome, "error");
  t.deepEqual(channel2.played, [["service-unavailable"]]);
});
