// IVR scripts on BVD calls hand their caller on, with real peers (Kamailio, SIPp callers and phones): `queue` puts
// the caller in a service group's queue and an agent gets it; `divert` to a number makes the bridge call it with the
// caller's identity and join the legs; a busy number takes the failure branch with the caller still in the script;
// `divert` to a BVD goes on to its service access.
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCall } from "../harness/sipp.js";
import { eventually } from "./daemon-fixture.js";
import { acdFixture, agentPhone, agentState, allPortsFree, logOn, SALES, SALES_BVDS } from "./acd-fixture.js";
import type { TeardownContext } from "../harness/teardown-context.js";

const SCRIPTS: Record<string, string> = {
  "to-sales": `script: to-sales
start: queue
blocks:
  queue: { type: queue, serviceGroup: Sales, priority: 5, failure: sorry }
  sorry: { type: play, prompts: [service-unavailable] }
`,
  "to-number": `script: to-number
start: divert
blocks:
  divert: { type: divert, number: "7001", ringTime: 5s, failure: sorry }
  sorry: { type: play, prompts: [service-unavailable] }
`,
  "to-bvd": `script: to-bvd
start: divert
blocks:
  divert: { type: divert, bvd: "3000", failure: sorry }
  sorry: { type: play, prompts: [service-unavailable] }
`,
};

async function fixture(t: TeardownContext & { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-hand-off-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, `${name}.yaml`), text);
  return acdFixture(
    t,
    `${SALES}scripts:\n  directories: [${JSON.stringify(dir)}]\n`,
    `${SALES_BVDS}
  - { number: 2500, kind: serviceAccess, script: to-sales }
  - { number: 2501, kind: serviceAccess, script: to-number }
  - { number: 2502, kind: serviceAccess, script: to-bvd }`,
  );
}

test("queue block: the script's caller waits in Sales with the block's priority and is put through to an agent", async (t) => {
  const f = await fixture(t);
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "2500", from: "5561", hangup: "local", holdAfterMs: 2000, t });
  const invite = await phone.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5561@/m);
  t.regex(invite.text, /^X-CTI-Service-Group: Sales$/m);
  t.like(f.events.find((e) => e.event === "call.queued")?.data, { serviceGroup: "Sales", serviceAccess: "ivr", priority: 5, dialed: "2500" });
  await eventually(() => (agentState(f, "1001") === "talking" ? true : undefined), 5000, "agent talking");
  await caller.done;
  await eventually(() => (f.events.some((e) => e.event === "call.cleared") ? true : undefined), 3000, "cleared");
  await allPortsFree(f);
});

test("divert block to a number: the bridge calls it with the caller's identity and joins the legs; busy → failure branch", async (t) => {
  const f = await fixture(t);
  const target = await agentPhone(f, t, "7001", { hangupAfterMs: 800 });
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "2501", from: "5562", hangup: "remote", byeTimeoutMs: 10_000, t });
  const invite = await target.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5562@/m, "the number sees the caller");
  t.true((await caller.done).received.byeFromRemote, "the number hung up; the bridge cleared the caller");
  await allPortsFree(f);

  await target.stop();
  await agentPhone(f, t, "7001", { answer: "busy" });
  const second = await startCall({ proxyPort: f.kamailio.port, dialed: "2501", from: "5563", hangup: "remote", byeTimeoutMs: 10_000, t });
  t.true((await second.done).received.byeFromRemote, "the failure branch played its prompt and the script ended the call");
  t.truthy(f.logLines().find((l) => l.msg === "divert: the number did not answer; failure branch"));
  await allPortsFree(f);
});

test("divert block to a BVD with a service access: the caller queues there", async (t) => {
  const f = await fixture(t);
  const phone = await agentPhone(f, t, "1001");
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "2502", from: "5564", hangup: "local", holdAfterMs: 1500, t });
  await phone.waitForInvite(1, 5000);
  t.like(f.events.find((e) => e.event === "call.queued")?.data, { serviceGroup: "Sales", serviceAccess: "sales-line", dialed: "2502" });
  await caller.done;
  await allPortsFree(f);
});
