import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, DEMO_CONFIG_FILE } from "../../cti/config/load-config.js";
import { SourceInvalidError } from "../../cti/config/yaml-source.js";

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-config-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

const MINIMAL = `sites:
  - id: main
    name: Main
callManagers:
  - id: cm1
    name: CM one
    site: main
    type: TAS
    host: 127.0.0.1
`;

test("the demo configuration loads with the demo contract's numbers", (t) => {
  const { config } = loadConfig(DEMO_CONFIG_FILE);
  t.is(config.sip.address, "127.0.0.1");
  t.is(config.sip.port, 5080);
  t.deepEqual(config.sip.transports, ["udp", "tcp"]);
  t.is(config.http.port, 12613);
  t.like(config.callManagers[0], { id: "demo", type: "TAS", host: "127.0.0.1", port: 5060, transport: "udp" });
  t.true(config.callManagers[0]!.keepalive.interval <= 5000);
  const kinds = Object.fromEntries(config.bvds.map((b) => [b.number, b.kind]));
  t.deepEqual(kinds, { "2000": "logon", "2001": "logoff", "2002": "ready", "2003": "notReady", "2999": "serviceAccess" });
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
