// `dataSources` in the configuration: checked with file and line like every key, the names offered to scripts at
// load (also by check-config), and the start-up probe that reports which data sources answer.
import test from "ava";
import { writeFileSync } from "node:fs";
import { loadConfig } from "../../cti/config/load-config.js";
import { SourceInvalidError } from "../../cti/config/yaml-source.js";
import { loadConfiguredIvr } from "../../cti/daemon.js";
import { AGENT_ACTION_NAMES } from "../../cti/agents/agent-actions.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { DataSources } from "../../ivr/blocks/data-sources.js";
import { dataSourceSchema } from "../../ivr/blocks/data-source-config.js";
import { createLogger } from "../../cti/log.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { MemoryLog } from "../integration/daemon-fixture.js";
import { createCrmDatabase } from "./crm-database.js";
import { MINIMAL_CONFIG } from "../config/minimal-config.js";

const MINIMAL = MINIMAL_CONFIG;

function writeConfig(t: Parameters<typeof makeTempDir>[0], text: string): string {
  const dir = makeTempDir(t, "config");
  const file = dir.join("config.yaml");
  writeFileSync(file, text);
  return file;
}

test("data sources: defaults, and every mistake reported with its line", (t) => {
  const good = loadConfig(writeConfig(t, `${MINIMAL}dataSources:\n  - { name: crm, kind: sqlite, file: crm.sqlite }\n`)).config;
  t.deepEqual(good.dataSources, [{ name: "crm", kind: "sqlite", file: "crm.sqlite", timeout: 5000, connections: 4 }]);
  t.deepEqual(loadConfig(writeConfig(t, MINIMAL)).config.dataSources, []);

  delete process.env.TEST_ERP_PASSWORD_UNSET;
  const bad = writeConfig(
    t,
    `${MINIMAL}dataSources:
  - { name: crm, kind: sqlite }
  - { name: erp, kind: mssql, url: "Server=db;Password=\${TEST_ERP_PASSWORD_UNSET}" }
  - { name: crm, kind: sqlite, file: b.sqlite, timeout: soon, colour: red }
  - { name: "bad name", kind: oracle }
`,
  );
  const error = t.throws(() => loadConfig(bad), { instanceOf: SourceInvalidError })!;
  const found = error.problems.map((p) => `${p.line}: ${p.reason}`);
  const has = (re: RegExp) => t.true(found.some((p) => re.test(p)), `${re} in\n${found.join("\n")}`);
  has(/^11: dataSources\.0\.file: a sqlite data source needs a file \(and no url\)$/);
  has(/^12: dataSources\.1\.url: environment variable TEST_ERP_PASSWORD_UNSET is not set$/);
  has(/^13: dataSources\.2\.timeout: "soon" is not a duration/);
  has(/^13: dataSources\.2: unknown key "colour"$/);
  has(/^14: dataSources\.3\.name: must be 1-64 letters/);
  has(/^14: dataSources\.3\.kind: /);
});

test("duplicate data source names are refused", (t) => {
  const file = writeConfig(t, `${MINIMAL}dataSources:\n  - { name: crm, kind: sqlite, file: a.sqlite }\n  - { name: crm, kind: sqlite, file: b.sqlite }\n`);
  const error = t.throws(() => loadConfig(file), { instanceOf: SourceInvalidError })!;
  t.deepEqual(error.problems.map((p) => `${p.line}: ${p.reason}`), ['12: dataSources.1.name: duplicate data source name "crm"']);
});

test("scripts are checked against the configured data sources at start-up and by check-config", (t) => {
  const dir = makeTempDir(t, "scripts");
  writeFileSync(dir.join("lookup.yaml"), "script: lookup\nstart: q\nblocks:\n  q:\n    type: query\n    dataSource: crm\n    sql: SELECT 1 AS one\n");
  const base = `${MINIMAL}scripts:\n  directories: ["${dir.path}"]\nbvds:\n  - { number: 3100, kind: serviceAccess, script: lookup }\n`;
  const without = loadConfig(writeConfig(t, base));
  const error = t.throws(() => loadConfiguredIvr(without, new Set(AGENT_ACTION_NAMES), new PromptLibrary()), { instanceOf: SourceInvalidError })!;
  t.deepEqual(error.problems.map((p) => `${p.file.endsWith("lookup.yaml")}:${p.line}: ${p.reason}`), ['true:6: unknown data source "crm" (configured: none)']);
  const withCrm = loadConfig(writeConfig(t, `${base}dataSources:\n  - { name: crm, kind: sqlite, file: crm.sqlite }\n`));
  t.truthy(loadConfiguredIvr(withCrm, new Set(AGENT_ACTION_NAMES), new PromptLibrary()).get("lookup"));
});

test("the start-up probe reports each data source and logs the ones that do not answer", async (t) => {
  const crm = createCrmDatabase(t);
  const log = new MemoryLog();
  const sources = new DataSources(
    [
      dataSourceSchema.parse({ name: "crm", kind: "sqlite", file: "crm.sqlite" }),
      dataSourceSchema.parse({ name: "gone", kind: "sqlite", file: "missing.sqlite", timeout: "2s" }),
    ],
    { dataDir: crm.path, logger: createLogger({ level: "info", destination: log }) },
  );
  t.teardown(() => sources.close());
  const results = await sources.check();
  t.like(results, [{ name: "crm", ok: true }, { name: "gone", ok: false }]);
  t.regex(results[1]!.error!, /unable to open database file|does not exist/);
  await new Promise((r) => setImmediate(r));
  t.true(log.lines.some((l) => l.dataSource === "crm" && l.msg === "data source ready"));
  t.true(log.lines.some((l) => l.dataSource === "gone" && l.level === 40));
});
