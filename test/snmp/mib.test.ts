// The MIB: smilint (level 6) has nothing to say, snmptranslate resolves every name, and the ModuleStore view the
// daemon uses agrees with the wire contract (secCCEvents, secBrokerConFailed = specific-trap 1, text first).
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import test from "ava";
import { DEFAULT_MIB_FILE, MibCatalog } from "../../snmp/mib-catalog.js";
import { toolMibDir, TOOL_ENV } from "./snmptrapd.js";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const LINT = join(ROOT, "scripts", "lint-mib.sh");
const SOURCE_MIB = join(ROOT, "mib", "SEC-CC-EVENTS-MIB.txt");

test("scripts/lint-mib.sh passes the project MIB (smilint -l 6 reports nothing)", async (t) => {
  const { stdout } = await run("bash", [LINT]);
  t.regex(stdout, /SEC-CC-EVENTS-MIB\.txt: clean/);
});

test("scripts/lint-mib.sh fails on a MIB with a single unknown name", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-badmib-"));
  const bad = join(dir, "SEC-CC-EVENTS-MIB.txt");
  writeFileSync(bad, readFileSync(SOURCE_MIB, "utf8").replace("secScriptName, secTimeoutSeconds }", "secScriptName, secTimeoutSecs }"));
  const error = await t.throwsAsync(run("bash", [LINT, bad]));
  t.regex(String((error as { stdout?: string }).stdout), /secTimeoutSecs/);
});

test("the MIB defines secCCEvents at 1.3.6.1.4.1.193.132.5.1 with secBrokerConFailed at specific-trap 1", (t) => {
  const catalog = MibCatalog.load();
  t.is(catalog.enterpriseOid, "1.3.6.1.4.1.193.132.5.1");
  t.is(catalog.notification("secBrokerConFailed").oid, "1.3.6.1.4.1.193.132.5.1.0.1");
  t.is(catalog.notification("secBrokerConFailed").specificTrap, 1);
  t.is(DEFAULT_MIB_FILE.endsWith(join("mib", "SEC-CC-EVENTS-MIB.txt")), true);
});

test("every notification starts with the same eight objects, event text first", (t) => {
  const catalog = MibCatalog.load();
  const header = ["secEventText", "secEventId", "secEventSeverity", "secEventSource", "secEventHost", "secEventTime", "secEventSequence", "secEventAlarmKey"];
  const names = catalog.notificationNames();
  t.true(names.length >= 18);
  for (const name of names) t.deepEqual(catalog.notification(name).objects.slice(0, 8), header, name);
});

test("snmptranslate resolves every notification and object name of the MIB to the OID the daemon uses", async (t) => {
  const catalog = MibCatalog.load();
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-translate-"));
  const mibs = toolMibDir(dir);
  const names = catalog.notificationNames();
  const objects = [...new Set(names.flatMap((n) => catalog.notification(n).objects))];
  const { stdout, stderr } = await run(
    "snmptranslate",
    ["-M", mibs, "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB", "-On", ...[...names, ...objects].map((n) => `SEC-CC-EVENTS-MIB::${n}`)],
    { env: TOOL_ENV(dir) },
  );
  t.is(stderr.trim(), "");
  const oids = stdout.split("\n").filter((l) => l.trim() !== "");
  t.deepEqual(oids, [...names.map((n) => `.${catalog.notification(n).oid}`), ...objects.map((o) => `.${catalog.object(o).oid}`)]);
});
