import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, DEMO_CONFIG_FILE } from "../../cti/config/load-config.js";
import { SourceInvalidError } from "../../cti/config/yaml-source.js";
import { loadConfiguredIvr } from "../../cti/daemon.js";
import { AGENT_ACTION_NAMES } from "../../cti/agents/agent-actions.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { MINIMAL_CONFIG } from "./minimal-config.js";

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-config-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

const MINIMAL = MINIMAL_CONFIG;

test("the demo configuration loads with the demo contract's numbers", (t) => {
  const { config } = loadConfig(DEMO_CONFIG_FILE);
  t.is(config.sip.address, "127.0.0.1");
  t.is(config.sip.port, 5080);
  t.deepEqual(config.sip.transports, ["udp", "tcp"]);
  t.is(config.http.port, 12613);
  t.like(config.callManagers[0], { id: "demo", type: "TAS", host: "127.0.0.1", port: 5060, transport: "udp" });
  t.true(config.callManagers[0]!.keepalive.interval <= 5000);
  const kinds = Object.fromEntries(config.bvds.map((b) => [b.number, b.kind]));
  t.deepEqual(kinds, {
    "2000": "logon", "2001": "logoff", "2002": "ready", "2003": "notReady", "2020": "serviceAccess", "2999": "serviceAccess",
    "3000": "serviceAccess", "3100": "serviceAccess", "3200": "serviceAccess",
  });
  const groupOf = (bvd: string) => {
    const access = config.serviceAccesses.find((a) => a.id === config.bvds.find((b) => b.number === bvd)!.serviceAccess)!;
    return config.serviceGroups.find((g) => g.id === access.serviceGroup);
  };
  // BVD 3000 → service access → service group Sales, ring time supervision 15 s, open to every agent.
  t.like(groupOf("3000"), { id: "Sales", ringTime: 15_000, agents: "*" });
  // Customer authentication on 2020; personal calls on 3100 (Voice – Manual Routing); an attendant group on 3200.
  t.like(config.customerAuthentication, { number: "2020" });
  t.is(config.bvds.find((b) => b.number === "2020")!.script, "customer-authentication");
  t.like(groupOf("3100"), { type: "manualRouting", personalCalls: true });
  t.like(groupOf("3200"), { attendant: true });
  t.deepEqual(config.callerIds, [{ name: "Sales", callerId: "811" }]);
  t.deepEqual(config.recording.allowedRecorders, ["127.0.0.1"]);
});

test("service groups: field errors, then cross-references, each with file and line", (t) => {
  const fields = writeConfig(`${MINIMAL}
bvds:
  - { number: 3001, kind: serviceAccess, serviceAccess: a, script: both }
serviceGroups:
  - { id: g, agents: "*", maxWait: 30s }
  - { id: h, agents: ["1001", { logonId: "1002", level: 11 }], overflow: { serviceGroup: h } }
  - { id: i, agents: "*", closed: { queue: x } }
`);
  let error = t.throws(() => loadConfig(fields), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  let reasons = error.problems.map((p) => `${p.line}: ${p.reason}`).join("\n");
  t.regex(reasons, /^\d+: bvds\.0\.serviceAccess: a serviceAccess BVD needs either a serviceAccess or a script, not both$/m);
  t.regex(reasons, /serviceGroups\.0\.overflow: maxWait needs an overflow destination/);
  t.regex(reasons, /serviceGroups\.1\.agents\.1\.level: .*10/);
  t.regex(reasons, /serviceGroups\.1\.overflow\.serviceGroup: a group cannot overflow to itself/);
  t.regex(reasons, /serviceGroups\.2\.closed: unknown key "queue"/);
  t.true(error.problems.every((p) => p.line > 0));

  // References are checked once every entry is well formed.
  const references = writeConfig(`${MINIMAL}
bvds:
  - { number: 3000, kind: serviceAccess, serviceAccess: nowhere }
serviceAccesses:
  - { id: a, serviceGroup: missing }
serviceGroups:
  - { id: g, agents: "*", maxWait: 30s, overflow: { serviceGroup: gone } }
`);
  error = t.throws(() => loadConfig(references), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  reasons = error.problems.map((p) => `${p.line}: ${p.reason}`).join("\n");
  t.regex(reasons, /unknown service access "nowhere"/);
  t.regex(reasons, /unknown service group "missing"/);
  t.regex(reasons, /unknown service group "gone"/);
  t.true(error.problems.every((p) => p.line > 0));
});

test("defaults are applied to a minimal configuration", (t) => {
  const { config } = loadConfig(writeConfig(MINIMAL));
  t.is(config.system.lockoutThreshold, 5);
  t.true(config.system.restorePhoneAgents);
  t.is(config.callManagers[0]!.keepalive.interval, 5000);
  t.is(config.callManagers[0]!.port, 5060);
});

test("an unknown key is reported with its line", (t) => {
  const file = writeConfig(MINIMAL + "    colour: blue\n");
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  t.is(error.problems.length, 1);
  t.like(error.problems[0], { file, line: 10 });
  t.regex(error.problems[0]!.reason, /unknown key "colour"/);
});

test("every wrong type is reported, each with file, line and reason", (t) => {
  const file = writeConfig(MINIMAL.replace("type: TAS", "type: XYZ").replace("host: 127.0.0.1", "host: not-an-ip") + "sip:\n  port: seventy\n");
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  const lines = error.problems.map((p) => p.line).sort((a, b) => a - b);
  t.deepEqual(lines, [8, 9, 11]);
  t.true(error.problems.every((p) => p.file === file && p.reason.length > 0));
  t.regex(error.message, /config\.yaml:8:\d+: callManagers\.0\.type/);
});

test("a reference to an unknown site and a duplicate BVD are errors", (t) => {
  const file = writeConfig(MINIMAL.replace("site: main", "site: elsewhere") + "bvds:\n  - number: 2000\n    kind: logon\n  - number: 2000\n    kind: logoff\n");
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  t.true(error.problems.some((p) => /unknown site "elsewhere"/.test(p.reason) && p.line === 7));
  t.true(error.problems.some((p) => /duplicate BVD number 2000/.test(p.reason) && p.line === 13));
});

test("YAML syntax errors are reported with their line", (t) => {
  const file = writeConfig("sites:\n  - id: main\n   name: bad indent\n");
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  t.is(error.problems[0]!.line, 3);
});

test("a SQL Server password comes from the environment, and a missing variable is an error", (t) => {
  const text = MINIMAL + "store:\n  kind: mssql\n  url: Server=db;Password=${DB_SECRET}\n";
  const file = writeConfig(text);
  process.env.DB_SECRET = "s3cret";
  t.is(loadConfig(file).config.store.url, "Server=db;Password=s3cret");
  delete process.env.DB_SECRET;
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  t.regex(error.problems[0]!.reason, /DB_SECRET is not set/);
});

test("a service group prompt or destination script that does not exist is a file:line error at start-up and in check-config", (t) => {
  const file = writeConfig(`${MINIMAL}
serviceGroups:
  - id: g
    agents: "*"
    music: no-such-music
    closed: { script: no-such-script }
`);
  const loaded = loadConfig(file);
  const error = t.throws(() => loadConfiguredIvr(loaded, new Set(AGENT_ACTION_NAMES), new PromptLibrary()), { instanceOf: SourceInvalidError }) as SourceInvalidError;
  t.regex(error.message, /:\d+:\d+: prompt "no-such-music" not found/);
  const fixed = writeConfig(`${MINIMAL}
serviceGroups:
  - id: g
    agents: "*"
    closed: { script: no-such-script }
`);
  const scriptError = t.throws(() => loadConfiguredIvr(loadConfig(fixed), new Set(AGENT_ACTION_NAMES), new PromptLibrary()));
  t.regex(scriptError!.message, /no-such-script/);
});
