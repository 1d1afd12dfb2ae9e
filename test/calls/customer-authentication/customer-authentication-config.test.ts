// The customerAuthentication settings: the manual's defaults, the demo's number 2020 and its script, and a number
// that is not a script BVD refused with file and line.
import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, DEMO_CONFIG_FILE } from "../../../cti/config/load-config.js";
import { SourceInvalidError } from "../../../cti/config/yaml-source.js";
import { customerAuthenticationSetup, DEFAULT_RESERVE_TIMEOUT_MS } from "../../../cti/calls/customer-authentication/customer-authentication-config.js";
import { MINIMAL_CONFIG } from "../../config/minimal-config.js";

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-auth-config-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return loadConfig(file).config;
}

function problems(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof SourceInvalidError) return e.problems.map((p) => `${p.line}: ${p.reason}`);
    throw e;
  }
  throw new Error("expected the configuration to be refused");
}

const BVD_2020 = "bvds:\n  - { number: 2020, kind: serviceAccess, script: customer-authentication }\n";

test("the demo configuration sends callers to 2020, whose BVD runs the customer-authentication script", (t) => {
  const { config } = loadConfig(DEMO_CONFIG_FILE);
  t.like(config.customerAuthentication, { number: "2020", reserveTimeout: 120_000, sendDnFromAgent: true, featureCode: "*7" });
  t.deepEqual(customerAuthenticationSetup(config), { config: config.customerAuthentication!, script: "customer-authentication" });
});

test("defaults are the manual's: 120 s to reserve the agent, Send DN from Agent on, no feature code; absent means off", (t) => {
  const config = load(`${MINIMAL_CONFIG}${BVD_2020}customerAuthentication:\n  number: 2020\n`);
  t.deepEqual(config.customerAuthentication, { number: "2020", reserveTimeout: DEFAULT_RESERVE_TIMEOUT_MS, sendDnFromAgent: true });
  t.is(DEFAULT_RESERVE_TIMEOUT_MS, 120_000);
  t.is(customerAuthenticationSetup(load(`${MINIMAL_CONFIG}${BVD_2020}`)), undefined);
});

test("the number must be a script BVD; a bad feature code and an unknown key are reported with their lines", (t) => {
  t.deepEqual(problems(`${MINIMAL_CONFIG}customerAuthentication:\n  number: 2021\n`), [
    "11: customerAuthentication.number: no BVD 2021: add { number: 2021, kind: serviceAccess, script: NAME }",
  ]);
  const found = problems(`${MINIMAL_CONFIG}${BVD_2020}customerAuthentication:\n  number: 2020\n  featureCode: "*7x"\n  reserveTime: 10s\n`);
  t.true(found.some((p) => p.startsWith("14: customerAuthentication.featureCode: must be 1-8 keys")), found.join("\n"));
  t.true(found.some((p) => /^1[25]: .*reserveTime/.test(p)), found.join("\n"));
});
