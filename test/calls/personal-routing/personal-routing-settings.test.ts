// Where personal call routing's settings live: the service group options (type manualRouting, personalCalls,
// maxWaitPersonal with its default), the system default destination, and per user the default destination and the
// Dispatch privilege (migration 004), set with `ctibridge user add/set` and found by personal number.
import test from "ava";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadConfig, DEMO_CONFIG_FILE } from "../../../cti/config/load-config.js";
import { SourceInvalidError } from "../../../cti/config/yaml-source.js";
import { DEFAULT_MAX_WAIT_PERSONAL_MS } from "../../../cti/calls/personal-routing/personal-routing-config.js";
import { openStore } from "../../../cti/store/open-store.js";
import { createLogger } from "../../../cti/log.js";
import { repoRoot } from "../../harness/repo-root.js";
import { makeTempDir } from "../../harness/temp-dir.js";

const BASE = `sites:
  - id: main
    name: Main
callManagers:
  - { id: cm1, name: CM one, site: main, type: TAS, host: 127.0.0.1 }
serviceAccesses:
  - { id: personal-line, serviceGroup: Personal }
bvds:
  - { number: 3100, kind: serviceAccess, serviceAccess: personal-line }
`;

function load(t: import("ava").ExecutionContext, yaml: string) {
  const dir = makeTempDir(t, "personal-config");
  const file = dir.join("ctibridge.yaml");
  writeFileSync(file, BASE + yaml);
  return () => loadConfig(file);
}

test("a manualRouting group takes personal calls; maxWaitPersonal defaults to 60 s; the system default destination is a number", (t) => {
  const config = load(t, `system:
  defaultDestination: 5000
serviceGroups:
  - { id: Personal, type: manualRouting, personalCalls: true, agents: "*" }
`)().config;
  t.like(config.serviceGroups[0], { type: "manualRouting", personalCalls: true, maxWaitPersonal: DEFAULT_MAX_WAIT_PERSONAL_MS });
  t.is(DEFAULT_MAX_WAIT_PERSONAL_MS, 60_000);
  t.is(config.system.defaultDestination, "5000");
});

test("personalCalls on a voice group, or a maxWait on a manualRouting group, are configuration errors with the line", (t) => {
  const error = t.throws(load(t, `serviceGroups:
  - { id: Personal, personalCalls: true, agents: "*" }
  - { id: Manual, type: manualRouting, agents: "*", maxWait: 30s, overflow: { prompt: queue-closed } }
`), { instanceOf: SourceInvalidError });
  t.regex(error!.message, /personalCalls needs type manualRouting/);
  t.regex(error!.message, /a manualRouting group's calls wait in its dispatch queue/);
  t.regex(error!.message, /ctibridge\.yaml:\d+:\d+/);
});

test("the demo routes BVD 3100 to a Voice – Manual Routing group with Personal Calls", (t) => {
  const { config } = loadConfig(DEMO_CONFIG_FILE);
  const access = config.serviceAccesses.find((a) => a.id === config.bvds.find((b) => b.number === "3100")?.serviceAccess);
  const group = config.serviceGroups.find((g) => g.id === access?.serviceGroup);
  t.like(group, { type: "manualRouting", personalCalls: true, maxWaitPersonal: 60_000 });
});

test("ctibridge user add/set store the default destination and the Dispatch privilege; users are found by personal number", async (t) => {
  const dir = makeTempDir(t, "personal-users");
  const data = ["--data", dir.join("data")];
  const cli = (args: string[]) => spawnSync(process.execPath, [`${repoRoot()}/dist/cti/cli.js`, ...args, ...data], { encoding: "utf8", cwd: repoRoot() });
  t.is(cli(["user", "add", "1001", "--pin", "1234", "--pdn", "4711", "--default-destination", "5001"]).status, 0);
  t.is(cli(["user", "add", "1002", "--pin", "1234", "--pdn", "4722", "--dispatch", "no"]).status, 0);
  const maybe = cli(["user", "add", "1003", "--pin", "1234", "--dispatch", "maybe"]);
  t.not(maybe.status, 0);
  t.regex(maybe.stderr, /Allowed choices are yes, no/);

  const store = await openStore({ kind: "sqlite", file: dir.join("data", "ctibridge.sqlite") }, createLogger({ level: "silent" }));
  t.teardown(() => store.close());
  t.like(await store.users.get(-1, "1001"), { personalNumber: "4711", defaultDestination: "5001", dispatch: true });
  t.like(await store.users.get(-1, "1002"), { personalNumber: "4722", defaultDestination: null, dispatch: false });
  t.deepEqual((await store.users.findByPersonalNumber(-1, "4722")).map((u) => u.logonId), ["1002"]);
  t.deepEqual(await store.users.findByPersonalNumber(-1, "4799"), []);

  t.is(cli(["user", "set", "1001", "--default-destination", "", "--dispatch", "no"]).status, 0);
  t.is(cli(["user", "set", "1002", "--default-destination", "5002", "--dispatch", "yes"]).status, 0);
  t.like(await store.users.get(-1, "1001"), { defaultDestination: null, dispatch: false });
  t.like(await store.users.get(-1, "1002"), { defaultDestination: "5002", dispatch: true });
});
