// Phone agents log on, off, ready and not ready by dialing from a phone, through a real Kamailio, with RFC 2833 DTMF
// from SIPp; the agent is seen in GET /agents and in phone_agent_logon.
import test from "ava";
import { call } from "../harness/sipp.js";
import { startBaresip } from "../harness/baresip.js";
import { startDaemonFixture, eventually, type DaemonFixture } from "./daemon-fixture.js";
import type { AgentView } from "../../cti/api/open-interface.js";
import { mentionsPin } from "../harness/mentions-pin.js";

async function agents(f: DaemonFixture): Promise<AgentView[]> {
  return (await f.getJson<AgentView[]>("/agents")).body;
}

async function dial(f: DaemonFixture, t: Parameters<typeof call>[0]["t"], from: string, dialed: string, dtmf?: string[]) {
  return call({
    proxyPort: f.kamailio.port,
    from,
    dialed,
    ...(dtmf ? { dtmf, dtmfTiming: { digitMs: 300, pauseMs: 600 }, waitBeforeDtmfMs: 300 } : {}),
    hangup: "remote",
    byeTimeoutMs: 40_000,
    ...(t ? { t } : {}),
  });
}

test("an agent dials 2000, keys agent ID and PIN, and is logged on at the calling extension", async (t) => {
  const f = await startDaemonFixture({ t });
  const userId = await f.addUser("1001", "6172839");
  const result = await dial(f, t, "3001", "2000", ["1001#", "6172839#"]);
  t.true(result.received.byeFromRemote, "the bridge hangs up after the confirmation prompt");
  const list = await agents(f);
  t.is(list.length, 1);
  t.like(list[0], { logonId: "1001", extension: "3001", callManager: "kam", state: "idleReady" });
  const rows = await f.daemon.store.phoneAgentLogons.list();
  t.like(rows[0], { agentId: userId, phoneNum: "3001", readyStatus: true, priorityLogon: false });
  t.is(f.daemon.media.portsFree, f.daemon.media.portsTotal, "the media port is back in the pool");
  t.false(mentionsPin(JSON.stringify(f.logLines()), "6172839"), "the PIN never reaches the log");
});

test("not ready, ready and logoff act on the agent at the calling extension; an empty extension hears an error", async (t) => {
  const f = await startDaemonFixture({ t });
  const userId = await f.addUser("1002", "4321");
  const user = (await f.daemon.store.users.getById(userId))!;
  await f.daemon.phoneAgents.logon(user, "3002", "kam", "api");

  await dial(f, t, "3002", "2003");
  t.is((await agents(f))[0]?.state, "idleNotReady");
  t.false((await f.daemon.store.phoneAgentLogons.list())[0]!.readyStatus);

  await dial(f, t, "3002", "2002");
  t.is((await agents(f))[0]?.state, "idleReady");
  t.true((await f.daemon.store.phoneAgentLogons.list())[0]!.readyStatus);

  const empty = await dial(f, t, "3099", "2001");
  t.true(empty.received.byeFromRemote);
  t.is((await agents(f)).length, 1, "a logoff from an extension without an agent changes nothing");

  await dial(f, t, "3002", "2001");
  t.deepEqual(await agents(f), []);
  t.deepEqual(await f.daemon.store.phoneAgentLogons.list(), []);
});

test("a wrong PIN re-prompts; failures lock the account at the threshold and the lockout is logged", async (t) => {
  const f = await startDaemonFixture({ t });
  await f.addUser("1003", "8264913");
  // Three tries in one call: each wrong PIN re-prompts, the third ends the call.
  const first = await dial(f, t, "3003", "2000", ["1003#", "7113591#", "1003#", "7224682#", "1003#", "7335773#"]);
  t.true(first.received.byeFromRemote);
  t.like(await f.daemon.store.users.get(-1, "1003"), { failedAttempts: 3, locked: false });
  // Two more wrong PINs reach the default threshold of 5.
  await dial(f, t, "3003", "2000", ["1003#", "7446864#", "1003#", "7557955#"]);
  t.like(await f.daemon.store.users.get(-1, "1003"), { locked: true });
  // Now even the right PIN does not log on.
  await dial(f, t, "3003", "2000", ["1003#", "8264913#"]);
  t.deepEqual(await agents(f), []);
  const locked = f.logLines().find((l) => l.msg === "account locked after too many failed PIN attempts");
  t.like(locked, { logonId: "1003", extension: "3003", sourceAddress: "127.0.0.1" });
  const logged = JSON.stringify(f.logLines());
  for (const pin of ["7113591", "7224682", "7335773", "7446864", "7557955", "8264913"]) t.false(mentionsPin(logged, pin), `PIN ${pin} reached the log`);
});

test("an agent logged on elsewhere is moved to the new extension", async (t) => {
  const f = await startDaemonFixture({ t });
  await f.addUser("1004", "1357");
  await dial(f, t, "3004", "2000", ["1004#", "1357#"]);
  await dial(f, t, "3005", "2000", ["1004#", "1357#"]);
  const list = await agents(f);
  t.is(list.length, 1);
  t.like(list[0], { logonId: "1004", extension: "3005" });
  t.is((await f.daemon.store.phoneAgentLogons.list())[0]?.phoneNum, "3005");
});

test("after a restart agents are back, priority agents first, with their ready state; hand-inserted rows count", async (t) => {
  const f = await startDaemonFixture({ t });
  const ids: Record<string, number> = {};
  for (const [logonId, restoreOption] of [["2101", "system"], ["2102", "priority"], ["2103", "never"], ["2104", "always"], ["2105", "priority"]] as const) {
    ids[logonId] = await f.addUser(logonId, "9999", { restoreOption });
  }
  for (const [logonId, extension] of [["2101", "3101"], ["2102", "3102"], ["2103", "3103"], ["2104", "3104"]] as const) {
    const user = (await f.daemon.store.users.get(-1, logonId))!;
    await f.daemon.phoneAgents.logon(user, extension, "kam", "api");
  }
  await f.daemon.phoneAgents.setNotReady("2104");
  t.is((await f.daemon.store.phoneAgentLogons.list()).length, 3, "no row for the agent whose user option is never");
  // An administrator adds a row by hand for 2105 (priority user), as the manual allows.
  const cmRow = (await f.daemon.store.callManagers.list()).find((c) => c.configId === "kam")!;
  await f.daemon.store.phoneAgentLogons.save({ agentId: ids["2105"]!, tenantId: -1, callManagerId: cmRow.id, phoneNum: "3105", readyStatus: false, priorityLogon: true });

  const daemon = await f.restart();
  const report = daemon.restoreReport!;
  t.deepEqual(report.restored.slice(0, 2).sort(), ["2102", "2105"], "priority agents are restored first");
  t.deepEqual(report.restored.slice(2).sort(), ["2101", "2104"]);
  const list = await agents(f);
  t.deepEqual(list.map((a) => `${a.logonId}@${a.extension}:${a.state}`), [
    "2101@3101:idleReady",
    "2102@3102:idleReady",
    "2104@3104:idleNotReady",
    "2105@3105:idleNotReady",
  ]);
  t.truthy(f.logLines().find((l) => l.msg === "phone agent restored" && l.progress === "1/4"));
});

test("the link to the call manager is up and /health says so", async (t) => {
  const f = await startDaemonFixture({ t });
  const health = await eventually(async () => {
    const h = await f.getJson<{ status: string; callManagers: { id: string; state: string }[] }>("/health");
    return h.body.status === "ok" ? h.body : undefined;
  }, 5000, "link up");
  t.deepEqual(health.callManagers.map((c) => [c.id, c.state]), [["kam", "up"]]);
});

test("a real softphone (baresip) registered at the call manager logs on by dialing, with RFC 4733 keys", async (t) => {
  const f = await startDaemonFixture({ t });
  await f.addUser("1005", "8642");
  const phone = await startBaresip({ proxyPort: f.kamailio.port, user: "3206", t });
  await f.kamailio.waitForRegistration("3206");
  await phone.dial("2000");
  await phone.waitFor("CALL_ESTABLISHED", 10_000);
  await phone.sendDtmf("1005#", 300);
  await phone.sendDtmf("8642#", 300);
  await phone.waitFor("CALL_CLOSED", 20_000);
  const list = await agents(f);
  t.like(list[0], { logonId: "1005", extension: "3206", state: "idleReady" });
});
