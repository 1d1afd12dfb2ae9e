// Caller ID for outgoing calls, the manual's rules one by one: custom caller IDs per tenant (name + string), a
// default for private calls and whether the agent may select another, the same per service group; how the
// string is sent on an OAS (prepended to the dialled number) and a TAS (sent whole) call manager; and the
// configuration checks with file and line.
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, DEMO_CONFIG_FILE } from "../../cti/config/load-config.js";
import { SourceInvalidError } from "../../cti/config/yaml-source.js";
import { CallerIdPolicy, addressDestination } from "../../cti/calls/caller-id.js";
import { Errors, isCtiError } from "../../cti/errors.js";

const BASE = `sites:
  - id: main
    name: Main
callManagers:
  - { id: cm1, name: CM one, site: main, type: OAS, host: 127.0.0.1 }
`;

function load(t: { teardown(fn: () => void): void }, text: string) {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-callerid-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return { file, load: () => loadConfig(file) };
}

const RULES = `${BASE}system:
  privateCallerId: { default: Main, agentMaySelect: true }
callerIds:
  - { name: Main, callerId: "33355" }
  - { name: Sales, callerId: "811" }
  - { name: Support, callerId: "+4681234500" }
serviceGroups:
  - { id: Sales, agents: "*", callerId: { default: Sales, agentMaySelect: false } }
  - { id: Support, agents: "*", callerId: { agentMaySelect: true } }
  - { id: Plain, agents: "*" }
`;

function policy(t: { teardown(fn: () => void): void }, text = RULES): CallerIdPolicy {
  return new CallerIdPolicy(load(t, text).load().config);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isCtiError(e) ? e.code : String(e);
  }
}

test("custom caller IDs are defined per tenant with a name and a caller ID string", (t) => {
  const p = policy(t);
  t.deepEqual(p.names, ["Main", "Sales", "Support"]);
  t.deepEqual(p.choose({ callerId: "Support" }), { name: "Support", callerId: "+4681234500" });
});

test("a private call without a selection uses the tenant's default for private calls", (t) => {
  t.deepEqual(policy(t).choose({}), { name: "Main", callerId: "33355" });
});

test("without a default for private calls, a private call goes out with the agent's own number", (t) => {
  const p = policy(t, `${BASE}callerIds:\n  - { name: Sales, callerId: "811" }\n`);
  t.is(p.choose({}), undefined);
});

test("the agent may select a different caller ID for a private call only when that is allowed", (t) => {
  t.deepEqual(policy(t).choose({ callerId: "Sales" }), { name: "Sales", callerId: "811" });
  const strict = policy(t, `${BASE}system:\n  privateCallerId: { default: Main }\ncallerIds:\n  - { name: Main, callerId: "33355" }\n  - { name: Sales, callerId: "811" }\n`);
  t.is(codeOf(() => strict.choose({ callerId: "Sales" })), Errors.CALLER_ID_NOT_ALLOWED.code);
  // Naming the default is no selection of a different one.
  t.deepEqual(strict.choose({ callerId: "Main" }), { name: "Main", callerId: "33355" });
  t.deepEqual(strict.choose({}), { name: "Main", callerId: "33355" });
});

test("a service group call follows the group's default and change permission, not the private-call settings", (t) => {
  const p = policy(t);
  t.deepEqual(p.choose({ serviceGroup: "Sales" }), { name: "Sales", callerId: "811" });
  t.is(codeOf(() => p.choose({ serviceGroup: "Sales", callerId: "Main" })), Errors.CALLER_ID_NOT_ALLOWED.code);
  t.deepEqual(p.choose({ serviceGroup: "Support", callerId: "Main" }), { name: "Main", callerId: "33355" });
  t.is(p.choose({ serviceGroup: "Support" }), undefined, "no group default: the agent's own number, not the private default");
  t.is(p.choose({ serviceGroup: "Plain" }), undefined);
  t.is(codeOf(() => p.choose({ serviceGroup: "Plain", callerId: "Sales" })), Errors.CALLER_ID_NOT_ALLOWED.code, "selection is off by default");
});

test("an unknown caller ID name and an unknown service group have their own codes", (t) => {
  const p = policy(t);
  t.is(codeOf(() => p.choose({ callerId: "Marketing" })), Errors.CALLER_ID_UNKNOWN.code);
  t.is(codeOf(() => p.choose({ serviceGroup: "Sales", callerId: "Marketing" })), Errors.CALLER_ID_UNKNOWN.code, "unknown beats not allowed");
  t.is(codeOf(() => p.choose({ serviceGroup: "Billing" })), Errors.SERVICE_GROUP_UNKNOWN.code);
  t.is(Errors.CALLER_ID_UNKNOWN.httpStatus, 404);
  t.is(Errors.CALLER_ID_NOT_ALLOWED.httpStatus, 403);
});

test("OAS: the caller ID string is prepended to the dialled number, the agent's extension stays the caller", (t) => {
  const sales = { name: "Sales", callerId: "811" };
  t.deepEqual(addressDestination("OAS", "5551234", "1001", sales), { target: "8115551234", from: "1001" });
  // No number translation by the bridge: the number goes out exactly as dialled, prefix and all.
  t.deepEqual(addressDestination("OAS", "+4655512", "1001", sales), { target: "811+4655512", from: "1001" });
  t.deepEqual(addressDestination("OAS", "0046555", "1001", undefined), { target: "0046555", from: "1001" });
});

test("TAS: the caller ID string is sent whole as the caller, the dialled number unchanged", (t) => {
  t.deepEqual(addressDestination("TAS", "5551234", "1001", { name: "Support", callerId: "+4681234500" }), { target: "5551234", from: "+4681234500" });
  t.deepEqual(addressDestination("TAS", "5551234", "1001", undefined), { target: "5551234", from: "1001" });
});

test("the demo configuration defines the custom caller ID Sales = 811, the Sales group's default", (t) => {
  const { config } = loadConfig(DEMO_CONFIG_FILE);
  t.deepEqual(config.callerIds, [{ name: "Sales", callerId: "811" }]);
  const p = new CallerIdPolicy(config);
  t.deepEqual(p.choose({ serviceGroup: "Sales" }), { name: "Sales", callerId: "811" });
  t.is(p.choose({}), undefined);
  t.deepEqual(p.choose({ callerId: "Sales" }), { name: "Sales", callerId: "811" }, "private calls: the agent may select");
});

test("configuration: duplicate names, defaults naming no caller ID and bad caller ID strings are errors with their lines", (t) => {
  const { file, load: reload } = load(t, `${BASE}system:
  privateCallerId: { default: Nobody }
callerIds:
  - { name: Sales, callerId: "811" }
  - { name: Sales, callerId: "812" }
  - { name: Odd, callerId: "81 1" }
serviceGroups:
  - { id: Sales, agents: "*", callerId: { default: Ghost, agentMaySelect: true } }
  - { id: Other, agents: "*", callerId: { agentMaySelect: "yes" } }
`);
  const error = t.throws(() => reload(), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  const reasons = error.problems.map((p) => `${p.line}: ${p.reason}`);
  t.true(error.problems.every((p) => p.file === file));
  t.true(reasons.some((r) => /^11: .*dial string/.test(r)), reasons.join("\n"));
  t.true(reasons.some((r) => /^14: .*boolean/i.test(r)), reasons.join("\n"));
  // Cross-references are checked once the fields are right: fix the field errors and look again.
  const second = load(t, `${BASE}system:
  privateCallerId: { default: Nobody }
callerIds:
  - { name: Sales, callerId: "811" }
  - { name: Sales, callerId: "812" }
serviceGroups:
  - { id: Sales, agents: "*", callerId: { default: Ghost, agentMaySelect: true } }
`);
  const refError = t.throws(() => second.load(), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  const refs = refError.problems.map((p) => `${p.line}: ${p.reason}`);
  t.true(refs.some((r) => /^7: .*unknown caller ID "Nobody"/.test(r)), refs.join("\n"));
  t.true(refs.some((r) => /^10: .*duplicate caller ID name "Sales"/.test(r)), refs.join("\n"));
  t.true(refs.some((r) => /^12: .*unknown caller ID "Ghost"/.test(r)), refs.join("\n"));
});
