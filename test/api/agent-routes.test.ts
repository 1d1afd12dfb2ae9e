import test from "ava";
import type { AgentView } from "../../cti/api/open-interface.js";
import type { AgentLogonEvent } from "../../cti/events/event-bus.js";
import { startApi, TENANT } from "./api-fixture.js";

type ErrorReply = { error: { code: string; message: string } };

test("a logon with only an extension goes to the least used call manager of the first call manager's site", async (t) => {
  const f = await startApi(t);
  for (const id of ["1001", "1002", "1003", "1004"]) await f.addUser(id);
  const placed: string[] = [];
  for (const [id, ext] of [["1001", "3001"], ["1002", "3002"], ["1003", "3003"], ["1004", "3004"]] as const) {
    const r = await f.request<AgentView>("POST", `/agents/${id}/logon`, { body: { extension: ext } });
    t.is(r.status, 200, JSON.stringify(r.body));
    t.is(r.body.logonId, id);
    t.is(r.body.extension, ext);
    t.is(r.body.state, "idleReady");
    placed.push(r.body.callManager);
  }
  // Ties go to the requested (first) call manager; site "south" is never used without being asked for.
  t.deepEqual(placed, ["cm-a1", "cm-a2", "cm-a1", "cm-a2"]);
});

test("a logon naming a call manager goes to the least used one of that call manager's site", async (t) => {
  const f = await startApi(t);
  for (const id of ["1001", "1002", "1003"]) await f.addUser(id);
  const a = await f.request<AgentView>("POST", "/agents/1001/logon", { body: { extension: "3001", callManager: "cm-a2" } });
  t.is(a.body.callManager, "cm-a2", "a tie keeps the requested one");
  const b = await f.request<AgentView>("POST", "/agents/1002/logon", { body: { extension: "3002", callManager: "cm-a2" } });
  t.is(b.body.callManager, "cm-a1", "cm-a2 already has an agent");
  f.links.set("cm-a2", "down");
  const c = await f.request<AgentView>("POST", "/agents/1003/logon", { body: { extension: "3003", callManager: "cm-a2" } });
  t.is(c.body.callManager, "cm-a1", "cm-a2's link is down: the site's other call manager takes the agent");
});

test("a logon naming a site goes to the least used call manager there, avoiding links that are down", async (t) => {
  const f = await startApi(t);
  for (const id of ["1001", "1002", "1003"]) await f.addUser(id);
  t.is((await f.request<AgentView>("POST", "/agents/1001/logon", { body: { extension: "3001", site: "south" } })).body.callManager, "cm-b1");
  f.links.set("cm-a1", "down");
  t.is((await f.request<AgentView>("POST", "/agents/1002/logon", { body: { extension: "3002", site: "north" } })).body.callManager, "cm-a2");
  t.is((await f.request<AgentView>("POST", "/agents/1003/logon", { body: { extension: "3003", site: "north" } })).body.callManager, "cm-a2");
});

test("logging on again at the same place does not bounce the agent between call managers", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  const first = await f.request<AgentView>("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  const again = await f.request<AgentView>("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  t.is(first.body.callManager, "cm-a1");
  t.is(again.body.callManager, "cm-a1");
  t.is(again.body.loggedOnAt, first.body.loggedOnAt, "the same logon, confirmed");
});

test("an API logon is published as agent.logon via api and stored for restore", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  const events: AgentLogonEvent[] = [];
  f.bus.on("agent.logon", (e) => events.push(e));
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001", site: "south" } });
  t.deepEqual(events, [{ logonId: "1001", extension: "3001", callManagerId: "cm-b1", via: "api" }]);
  const rows = await f.store.phoneAgentLogons.list();
  t.is(rows.length, 1);
  t.is(rows[0]!.phoneNum, "3001");
});

test("logon errors carry their codes", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.addUser("1002");
  await f.store.users.lock(TENANT, "1002");
  const cases: [string, unknown, number, string][] = [
    ["/agents/9999/logon", { extension: "3001" }, 404, "CTI_ERR_USER_NOT_FOUND"],
    ["/agents/1002/logon", { extension: "3001" }, 423, "CTI_ERR_USER_LOCKED"],
    ["/agents/1001/logon", { extension: "3001", callManager: "nope" }, 404, "CTI_ERR_CALL_MANAGER_UNKNOWN"],
    ["/agents/1001/logon", { extension: "3001", site: "west" }, 404, "CTI_ERR_SITE_UNKNOWN"],
    ["/agents/1001/logon", { extension: "3001", site: "north", callManager: "cm-a1" }, 400, "CTI_ERR_BAD_REQUEST"],
    ["/agents/1001/logon", {}, 400, "CTI_ERR_BAD_REQUEST"],
    ["/agents/1001/logon", { extension: 3001 }, 400, "CTI_ERR_BAD_REQUEST"],
    ["/agents/1001/logon", { extension: "3001@evil.example" }, 400, "CTI_ERR_BAD_REQUEST"],
  ];
  for (const [path, body, status, code] of cases) {
    const r = await f.request<ErrorReply>("POST", path, { body });
    t.is(r.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    t.is(r.body.error.code, code, `${path} ${JSON.stringify(body)}`);
    t.is(typeof r.body.error.message, "string");
  }
  t.is(f.agents.size, 0, "nobody was logged on by a refused request");
});

test("unknown body keys are refused and named, without echoing their values", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  const r = await f.request<ErrorReply>("POST", "/agents/1001/logon", { body: { extension: "3001", pin: "918273" } });
  t.is(r.status, 400);
  t.is(r.body.error.code, "CTI_ERR_BAD_REQUEST");
  t.regex(r.body.error.message, /additional properties: pin$/);
  t.false(JSON.stringify(r.body).includes("918273"));
  t.is(f.agents.size, 0);
});

test("not ready with a reason shows in GET /agents; ready clears it", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  const nr = await f.request<AgentView>("POST", "/agents/1001/notready", { body: { reason: "lunch" } });
  t.is(nr.status, 200);
  t.is(nr.body.state, "idleNotReady");
  const list = await f.request<AgentView[]>("GET", "/agents");
  t.is(list.body.length, 1);
  t.is(list.body[0]!.state, "idleNotReady");
  t.is(list.body[0]!.notReadyReason, "lunch");
  t.is((await f.request<AgentView>("GET", "/agents/1001")).body.notReadyReason, "lunch");

  const ready = await f.request<AgentView>("POST", "/agents/1001/ready"); // no body at all
  t.is(ready.status, 200);
  t.is(ready.body.state, "idleReady");
  t.false("notReadyReason" in ready.body);
  const plain = await f.request<AgentView>("POST", "/agents/1001/notready", { body: {} });
  t.is(plain.body.state, "idleNotReady");
  t.false("notReadyReason" in plain.body);
});

test("a not-ready reason longer than 64 characters is refused", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  const r = await f.request<ErrorReply>("POST", "/agents/1001/notready", { body: { reason: "x".repeat(65) } });
  t.is(r.status, 400);
  t.is(r.body.error.code, "CTI_ERR_BAD_REQUEST");
  t.regex(r.body.error.message, /reason/);
  t.is(f.agents.get("1001")!.state, "idleReady");
  t.is((await f.request<AgentView>("POST", "/agents/1001/notready", { body: { reason: "x".repeat(64) } })).status, 200);
});

test("logoff answers 204, after which the agent is not logged on for every agent route", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  const off = await f.request("POST", "/agents/1001/logoff");
  t.is(off.status, 204);
  t.is(off.body, undefined);
  t.is(f.agents.size, 0);
  t.deepEqual(await f.store.phoneAgentLogons.list(), []);
  for (const [method, path] of [["GET", "/agents/1001"], ["POST", "/agents/1001/logoff"], ["POST", "/agents/1001/ready"], ["POST", "/agents/1001/notready"]] as const) {
    const r = await f.request<ErrorReply>(method, path);
    t.is(r.status, 409, path);
    t.is(r.body.error.code, "CTI_ERR_AGENT_NOT_LOGGED_ON", path);
  }
});

test("ready and not ready are refused while the agent's phone rings or it talks", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001" } });
  f.agents.transition("1001", "reserved"); // what the ACD does when it offers a call
  for (const path of ["/agents/1001/ready", "/agents/1001/notready"]) {
    const r = await f.request<ErrorReply>("POST", path);
    t.is(r.status, 409);
    t.is(r.body.error.code, "CTI_ERR_AGENT_STATE");
    t.regex(r.body.error.message, /reserved/);
  }
  t.is(f.agents.get("1001")!.state, "reserved");
});

test("an agent logged on elsewhere is moved, and the agent it replaces at an extension is logged off", async (t) => {
  const f = await startApi(t);
  await f.addUser("1001");
  await f.addUser("1002");
  await f.request("POST", "/agents/1001/logon", { body: { extension: "3001", site: "south" } });
  const moved = await f.request<AgentView>("POST", "/agents/1001/logon", { body: { extension: "3009", site: "south" } });
  t.is(moved.body.extension, "3009");
  const replacing = await f.request<AgentView>("POST", "/agents/1002/logon", { body: { extension: "3009", site: "south" } });
  t.is(replacing.status, 200);
  const list = await f.request<AgentView[]>("GET", "/agents");
  t.deepEqual(list.body.map((a) => [a.logonId, a.extension, a.callManager]), [["1002", "3009", "cm-b1"]]);
});
