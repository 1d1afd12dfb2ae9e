// The Open Interface's object tag and dialed number routes over real HTTP, on a real SQLite store: every route,
// its error codes, and the OpenAPI document listing them.
import test, { type ExecutionContext } from "ava";
import { AgentRegistry } from "../../cti/agents/agent-registry.js";
import { PhoneAgentService } from "../../cti/agents/phone-agent-service.js";
import { startOpenInterface } from "../../cti/api/open-interface.js";
import { callManagerSchema } from "../../cti/config/schema.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { openTagStore, TENANT } from "./store-fixture.js";

const CALL_MANAGERS = [callManagerSchema.parse({ id: "cm", name: "CM", site: "main", type: "TAS", host: "127.0.0.1", port: 5071 })];

async function startApi(t: ExecutionContext) {
  const f = await openTagStore(t);
  const logger = silentLogger();
  const rowIds = await f.store.callManagers.sync(TENANT, CALL_MANAGERS);
  const bus = new EventBus();
  const agents = new AgentRegistry(bus);
  const service = new PhoneAgentService({
    store: f.store, registry: agents, bus, logger,
    settings: { tenantId: TENANT, restorePhoneAgents: true, lockoutThreshold: 5, stateAfterLogon: "ready" },
    callManagers: CALL_MANAGERS,
    callManagerRowIds: rowIds,
  });
  const api = await startOpenInterface({
    address: "127.0.0.1",
    port: 0,
    tokens: [],
    logger,
    agents,
    phoneAgents: service,
    users: f.store.users,
    callManagers: CALL_MANAGERS,
    usage: { linkState: () => "up", agentCount: () => 0 },
    acd: { calls: () => [], serviceGroups: () => [] },
    bus,
    health: {
      version: "9.9.9",
      startedAt: new Date(),
      callManagers: () => [],
      media: () => ({ portsTotal: 0, portsFree: 0 }),
      activeCalls: () => 0,
      sip: () => ({ retransmissions: 0, malformed: 0, forbidden: 0 }),
    },
    objectTags: f.tags,
  });
  t.teardown(() => api.server.close());
  const url = `http://127.0.0.1:${api.port}`;
  return {
    ...f,
    api,
    async request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
      const response = await fetch(url + path, {
        method,
        ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

test("define, list, read, change and remove object tags", async (t) => {
  const f = await startApi(t);
  const created = await f.request("POST", "/object-tags", { name: "Region", type: "text", allowed: ["serviceGroup", "dialedNumber"] });
  t.is(created.status, 201);
  t.like(created.body, { name: "Region", type: "text", allowed: ["serviceGroup", "dialedNumber"] });
  t.is(typeof created.body.id, "number");
  const again = await f.request("POST", "/object-tags", { name: "Region", type: "text" });
  t.is(again.status, 409);
  t.is(again.body.error.code, "CTI_ERR_OBJECT_TAG_EXISTS");
  const badType = await f.request("POST", "/object-tags", { name: "X", type: "colour" });
  t.is(badType.status, 400);
  t.is(badType.body.error.code, "CTI_ERR_BAD_REQUEST");
  const list = await f.request("GET", "/object-tags");
  t.deepEqual(list.body, [{ id: created.body.id, name: "Region", type: "text", allowed: ["serviceGroup", "dialedNumber"] }]);

  const patched = await f.request("PATCH", "/object-tags/Region", { allowed: ["agent"] });
  t.is(patched.status, 200);
  t.deepEqual(patched.body.allowed, ["agent"]);
  const byId = await f.request("GET", `/object-tags/${created.body.id}`);
  t.is(byId.status, 200);
  t.deepEqual(byId.body.assignments, []);
  t.is((await f.request("DELETE", "/object-tags/Region")).status, 204);
  const gone = await f.request("GET", "/object-tags/Region");
  t.is(gone.status, 404);
  t.is(gone.body.error.code, "CTI_ERR_OBJECT_TAG_NOT_FOUND");
});

test("the 151st tag of a tenant is refused with CTI_ERR_OBJECT_TAG_LIMIT", async (t) => {
  const f = await startApi(t);
  for (let i = 0; i < 150; i++) await f.tags.define({ name: `t${i}`, type: "number", allowed: [] });
  const refused = await f.request("POST", "/object-tags", { name: "t150", type: "number" });
  t.is(refused.status, 409);
  t.is(refused.body.error.code, "CTI_ERR_OBJECT_TAG_LIMIT");
});

test("assign, list and unassign; not allowed, unknown object, bad value and in-use refusals", async (t) => {
  const f = await startApi(t);
  await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  await f.request("POST", "/object-tags", { name: "Backup", type: "serviceGroup", allowed: ["serviceGroup", "agent"] });
  const dn = await f.request("POST", "/dialed-numbers", { number: "0800-ACME" });
  t.is(dn.status, 201);

  const assigned = await f.request("POST", "/object-tags/Backup/assignments", { objectType: "agent", object: "1001", value: "Support" });
  t.is(assigned.status, 200);
  t.like(assigned.body, { objectType: "agent", object: "1001", valueName: "Support" });
  const refusals: [unknown, number, string][] = [
    [{ objectType: "dialedNumber", object: "0800-ACME", value: "Sales" }, 409, "CTI_ERR_OBJECT_TAG_NOT_ALLOWED"],
    [{ objectType: "serviceGroup", object: "Marketing", value: "Sales" }, 404, "CTI_ERR_TAGGED_OBJECT_UNKNOWN"],
    [{ objectType: "serviceGroup", object: "Sales", value: "Marketing" }, 400, "CTI_ERR_OBJECT_TAG_VALUE_INVALID"],
    [{ objectType: "serviceGroup", object: "Sales" }, 400, "CTI_ERR_BAD_REQUEST"],
  ];
  for (const [body, status, code] of refusals) {
    const r = await f.request("POST", "/object-tags/Backup/assignments", body);
    t.is(r.status, status, JSON.stringify(body));
    t.is(r.body.error.code, code);
  }
  const listed = await f.request("GET", "/object-tags/Backup/assignments");
  t.is(listed.body.length, 1);
  t.like(listed.body[0], { objectType: "agent", object: "1001", valueName: "Support" });
  const inUse = await f.request("PATCH", "/object-tags/Backup", { allowed: ["serviceGroup"] });
  t.is(inUse.body.error.code, "CTI_ERR_OBJECT_TAG_IN_USE");

  const page = await f.request("GET", "/objects/agent/1001/object-tags");
  t.is(page.status, 200);
  t.like(page.body, [{ name: "Backup", type: "serviceGroup", valueName: "Support" }]);
  t.is((await f.request("GET", "/objects/agent/4711/object-tags")).body.error.code, "CTI_ERR_TAGGED_OBJECT_UNKNOWN");
  t.is((await f.request("GET", "/objects/trunk/1/object-tags")).body.error.code, "CTI_ERR_BAD_REQUEST");

  t.is((await f.request("DELETE", "/object-tags/Backup/assignments", { objectType: "agent", object: "1001" })).status, 204);
  const twice = await f.request("DELETE", "/object-tags/Backup/assignments", { objectType: "agent", object: "1001" });
  t.is(twice.status, 404);
  t.is(twice.body.error.code, "CTI_ERR_OBJECT_TAG_ASSIGNMENT_NOT_FOUND");
  t.is((await f.request("PATCH", "/object-tags/Backup", { allowed: ["serviceGroup"] })).status, 200);
});

test("dialed numbers: add, list, duplicates and length refused, remove by id", async (t) => {
  const f = await startApi(t);
  const added = await f.request("POST", "/dialed-numbers", { number: "+1 (555) 010-0000 ext. 7" });
  t.is(added.status, 201);
  t.is((await f.request("POST", "/dialed-numbers", { number: "+1 (555) 010-0000 ext. 7" })).body.error.code, "CTI_ERR_DIALED_NUMBER_EXISTS");
  const long = await f.request("POST", "/dialed-numbers", { number: "9".repeat(51) });
  t.is(long.status, 400);
  t.is(long.body.error.code, "CTI_ERR_DIALED_NUMBER_INVALID");
  t.deepEqual((await f.request("GET", "/dialed-numbers")).body, [{ id: added.body.id, number: "+1 (555) 010-0000 ext. 7" }]);
  t.is((await f.request("DELETE", `/dialed-numbers/${added.body.id}`)).status, 204);
  t.is((await f.request("DELETE", `/dialed-numbers/${added.body.id}`)).body.error.code, "CTI_ERR_DIALED_NUMBER_NOT_FOUND");
  t.deepEqual((await f.request("GET", "/dialed-numbers")).body, []);
});

test("the OpenAPI document lists every object tag route with its error codes", async (t) => {
  const f = await startApi(t);
  const doc = (await f.request("GET", "/openapi.json")).body;
  const mine = f.api.routes.filter((r) => r.includes("/object-tags") || r.includes("/dialed-numbers"));
  t.is(mine.length, 12);
  for (const route of mine) {
    const [method, path] = route.split(" ") as [string, string];
    const openApiPath = path.replace(/:([A-Za-z]+)/g, "{$1}");
    t.truthy(doc.paths[openApiPath]?.[method.toLowerCase()], `${route} is documented`);
  }
  const assign = doc.paths["/object-tags/{tag}/assignments"].post;
  t.deepEqual(assign.tags, ["object tags"]);
  t.true(JSON.stringify(assign.responses["409"]).includes("CTI_ERR_OBJECT_TAG_NOT_ALLOWED"));
});
