// The query block against a real SQLite file: results into variables and the call profile, the three branches,
// values bound (never spliced), the timeout that stops a runaway query, and load-time checks with lines.
import test from "ava";
import { rmSync } from "node:fs";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import { CallProfile } from "../../ivr/blocks/call-profile.js";
import type { DataSources } from "../../ivr/blocks/data-sources.js";
import { parseSelectStatement } from "../../ivr/blocks/select-statement.js";
import { MemoryChannel } from "./memory-channel.js";
import { createCrmDatabase, crmDataSources, CUSTOMERS, sqliteReaderPids as readerPids } from "./crm-database.js";

const actions = new ActionRegistry().register("test.record", async () => "ok");
const options = { actionNames: actions.names, promptExists: () => true, dataSourceNames: new Set(["crm"]) };

function facts(ani: string): CallFacts {
  return { ANI: ani, DNIS: "3000", CALL_ID: "c1", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1" };
}

/** A script: one query block (extra YAML lines given), then a play block naming the branch taken. */
function queryScript(blockYaml: string) {
  const yaml = `script: t
start: q
blocks:
  q:
    type: query
    dataSource: crm
${blockYaml.replace(/^/gm, "    ")}
    found: found
    notFound: not-found
    error: error
  found: { type: play, prompts: [found] }
  not-found: { type: play, prompts: [not-found] }
  error: { type: play, prompts: [error] }
`;
  return parseScript(YamlSource.fromText("t.yaml", yaml), options);
}

/** Runs a script; reports the branch taken (the first prompt played), the result and published script errors. */
async function run(sources: DataSources | undefined, script: ReturnType<typeof queryScript>, ani: string) {
  const channel = new MemoryChannel();
  const bus = new EventBus();
  const errors: string[] = [];
  bus.on("ivr.scriptError", (e) => errors.push(e.message));
  const engine = new ScriptEngine({ actions, logger: silentLogger(), bus, dataSources: sources });
  const result = await engine.run(script, channel, facts(ani));
  return { branch: channel.played[0]?.[0], result, errors, channel };
}

/** An action that records its arguments: how a test reads variables after a block. */
function recorder() {
  const recorded: Record<string, string>[] = [];
  const registry = new ActionRegistry().register("test.record", async (args) => {
    recorded.push({ ...args });
    return "ok";
  });
  return { registry, recorded };
}

test("a found row fills variables, call profile fields and the row count, and takes `found`", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t
start: q
blocks:
  q:
    type: query
    dataSource: crm
    sql: SELECT customer_number, name, segment, balance FROM customer WHERE phone = %ANI%
    into: { customer_number: number, name: customerName, balance: balance }
    intoProfile: { customer_number: Customer Number, name: Customer Name, segment: Service }
    rowCount: rows
    found: show
    notFound: none
  show:
    type: action
    action: test.record
    with: { number: "\${number}", name: "\${customerName}", balance: "\${balance}", rows: "\${rows}", service: "\${PROFILE_SERVICE}" }
  none: { type: disconnect }
`,
    ),
    options,
  );
  const { registry, recorded } = recorder();
  const result = await new ScriptEngine({ actions: registry, logger: silentLogger(), dataSources: sources }).run(script, new MemoryChannel(), facts(CUSTOMERS[0]!.phone));
  t.deepEqual(recorded, [{ number: "4711", name: "Åsa Öberg", balance: "1250.5", rows: "1", service: "gold" }]);
  t.like(result.profile.toJSON(), { ANI: "+46701234567", "Customer Number": "4711", "Customer Name": "Åsa Öberg", Service: "gold" });
});

test("no row: mapped variables are emptied, the row count is 0, and `notFound` is taken", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t
variables: { who: stale }
start: q
blocks:
  q:
    type: query
    dataSource: crm
    sql: SELECT name FROM customer WHERE phone = :ANI
    into: { name: who }
    intoProfile: { name: Customer Name }
    rowCount: rows
    found: found
    notFound: report
  found: { type: disconnect }
  report:
    type: action
    action: test.record
    with: { who: "\${who}", rows: "\${rows}" }
`,
    ),
    options,
  );
  const profile = new CallProfile({ "Customer Name": "kept" });
  const { registry, recorded } = recorder();
  const engine = new ScriptEngine({ actions: registry, logger: silentLogger(), dataSources: sources });
  const result = await engine.run(script, new MemoryChannel(), facts("+4600000000"), { profile });
  t.deepEqual(recorded, [{ who: "", rows: "0" }]);
  t.is(result.profile, profile, "the call's own profile is the one updated");
  t.is(profile.get("Customer Name"), "kept", "a failed lookup does not erase what the profile knew");
});

test("a caller's input is bound, never spliced: SQL in a value matches nothing", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const script = queryScript("sql: SELECT name FROM customer WHERE phone = %ANI% OR customer_number = :ANI\nrowCount: rows");
  const { branch } = await run(sources, script, "' OR '1'='1");
  t.is(branch, "not-found");
  const { branch: known } = await run(sources, script, "0042");
  t.is(known, "found", "the same statement finds a real customer number");
});

test("without `into`, every column goes to the variable of its name, as text", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t
start: q
blocks:
  q:
    type: query
    dataSource: crm
    sql: SELECT customer_number, since, photo, note, balance FROM customer WHERE phone = %ANI%
    next: show
  show:
    type: action
    action: test.record
    with: { a: "\${customer_number}", b: "\${since}", c: "\${photo}", d: "\${note}", e: "\${balance}" }
`,
    ),
    options,
  );
  const { registry, recorded } = recorder();
  await new ScriptEngine({ actions: registry, logger: silentLogger(), dataSources: sources }).run(script, new MemoryChannel(), facts(CUSTOMERS[1]!.phone));
  // Leading zeros kept, 64-bit integers exact, blobs as hex, NULL as empty.
  t.deepEqual(recorded, [{ a: "0042", b: "9007199254740993", c: "cafe", d: "", e: "0" }]);
});

test("a database error takes `error`; without an error branch it is a script error", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const withBranch = queryScript("sql: SELECT name FROM no_such_table WHERE phone = %ANI%\nrowCount: rows");
  t.is((await run(sources, withBranch, "1")).branch, "error");

  const without = parseScript(
    YamlSource.fromText("t.yaml", "script: t\nstart: q\nblocks:\n  q:\n    type: query\n    dataSource: crm\n    sql: SELECT x FROM no_such_table\n"),
    options,
  );
  const { result, errors, channel } = await run(sources, without, "1");
  t.is(result.outcome, "error");
  t.regex(errors[0]!, /query on data source crm failed: no such table: no_such_table/);
  t.deepEqual(channel.played, [["service-unavailable"]]);
});

test("a query that outlives its timeout takes `error`; its reader is killed and the next query gets a new one", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  // Never ends: a recursive count with no limit, stuck inside SQLite's C code.
  const endless = queryScript(
    "sql: SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n) AS c\ntimeout: 300ms",
  );
  const started = Date.now();
  const { branch } = await run(sources, endless, "1");
  const elapsed = Date.now() - started;
  t.is(branch, "error");
  t.true(elapsed >= 290 && elapsed < 3000, `took ${elapsed} ms`);
  const quick = queryScript("sql: SELECT name FROM customer WHERE phone = %ANI%");
  t.is((await run(sources, quick, CUSTOMERS[0]!.phone)).branch, "found");
});

test("the killed reader process is gone, not left spinning", async (t) => {
  const dir = createCrmDatabase(t);
  const sources = crmDataSources(t, dir);
  const statement = parseSelectStatement("SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n)");
  const query = sources.select("crm", statement, [], 500);
  await new Promise((r) => setTimeout(r, 200));
  t.is(readerPids(dir.path).length, 1, "the query runs in a reader process");
  await t.throwsAsync(query, { name: "QueryTimeoutError" });
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(readerPids(dir.path), [], "the reader of this data source is gone");
});

test("queries run side by side on up to `connections` readers", async (t) => {
  const dir = createCrmDatabase(t);
  const sources = crmDataSources(t, dir, { connections: 3 });
  const slow = parseSelectStatement("SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT count(*) FROM n) AS c");
  const started = Date.now();
  const running = [1, 2, 3, 4].map(() => sources.select("crm", slow, [], 20_000));
  await new Promise((r) => setTimeout(r, 150));
  t.is(readerPids(dir.path).length, 3, "three readers for four queries");
  const results = await Promise.all(running);
  t.deepEqual(results.map(valueOf), ["2000000", "2000000", "2000000", "2000000"]);
  t.log(`four slow queries on three readers: ${Date.now() - started} ms`);
  t.is(readerPids(dir.path).length, 3, "idle readers stay for the next queries");
});

test("the reader cannot write even when handed a write statement directly", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const forged = { text: "DELETE FROM customer", fragments: ["DELETE FROM customer"], placeholders: [] };
  await t.throwsAsync(sources.select("crm", forged, [], 2000));
  const count = parseSelectStatement("SELECT count(*) AS n FROM customer");
  t.is(valueOf(await sources.select("crm", count, [], 2000)), String(CUSTOMERS.length));
});

test("a missing database file takes the error branch", async (t) => {
  const dir = createCrmDatabase(t);
  const sources = crmDataSources(t, dir);
  rmSync(dir.join("crm.sqlite"));
  t.is((await run(sources, queryScript("sql: SELECT 1 AS one"), "1")).branch, "error");
});

test("without data sources a query takes its error branch", async (t) => {
  t.is((await run(undefined, queryScript("sql: SELECT 1 AS one"), "1")).branch, "error");
});

test("query blocks are checked at load: data source, SELECT only, profile fields, targets — with lines", (t) => {
  const yaml = `script: t
start: a
blocks:
  a:
    type: query
    dataSource: erp
    sql: SELECT name FROM customer WHERE phone = %ANI%
    notFound: nowhere
  b:
    type: query
    dataSource: crm
    sql: UPDATE customer SET segment = 'gold'
  c:
    type: query
    dataSource: crm
    sql: SELECT name FROM customer
    intoProfile: { name: customer name }
    timeout: soon
`;
  const error = t.throws(() => parseScript(YamlSource.fromText("t.yaml", yaml), options), { instanceOf: SourceInvalidError })!;
  const found = error.problems.map((p) => `${p.line}: ${p.reason}`);
  t.true(found.includes('6: unknown data source "erp" (configured: crm)'), found.join("\n"));
  t.true(found.includes('8: no block named "nowhere"'), found.join("\n"));
  t.true(found.includes("12: blocks.b.sql: only SELECT is allowed: the statement must start with SELECT"), found.join("\n"));
  t.true(found.includes('17: blocks.c.intoProfile.name: no call profile field "customer name" (names are case-sensitive: "Customer Name")'), found.join("\n"));
  t.true(found.some((p) => p.startsWith('18: blocks.c.timeout: "soon" is not a duration')), found.join("\n"));
});

function valueOf(result: { firstRow: Readonly<Record<string, unknown>> | undefined }): string {
  return String(Object.values(result.firstRow ?? {})[0]);
}
