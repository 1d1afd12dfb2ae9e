import test from "ava";
import type { CallView, ServiceGroupView } from "../../cti/api/open-interface.js";
import { startApi } from "./api-fixture.js";

const queuedCall: CallView = {
  callId: "a84b4c76e66710@pc33.example.com",
  dialed: "4000",
  caller: { number: "0401234567", name: "Grace Hopper" },
  serviceAccess: "sales-line",
  serviceGroup: "sales",
  state: "queued",
  position: 1,
  arrivedAt: "2025-01-02T03:04:05.000Z",
  waitMs: 12_500,
};

const talkingCall: CallView = {
  callId: "b2",
  dialed: "4001",
  caller: { number: "0407654321" },
  serviceAccess: "support-line",
  serviceGroup: "support",
  state: "talking",
  logonId: "1001",
  extension: "3001",
  arrivedAt: "2025-01-02T03:00:00.000Z",
  answeredAt: "2025-01-02T03:00:20.000Z",
  waitMs: 20_000,
};

const agentsByState = { loggedOff: 0, idleReady: 2, idleNotReady: 1, reserved: 0, talking: 1, callWaiting: 0, callback: 0, clerical: 0 };
const sales: ServiceGroupView = { id: "sales", name: "Sales", open: true, waiting: 1, longestWaitSeconds: 12.5, estimatedWaitSeconds: 30, agents: agentsByState };
const night: ServiceGroupView = { id: "night", name: "Night line", open: false, waiting: 0, longestWaitSeconds: 0, estimatedWaitSeconds: 0, agents: { ...agentsByState, idleReady: 0, idleNotReady: 0, talking: 0 } };

test("GET /calls lists the ACD's calls in its order, every field kept and no field invented", async (t) => {
  const f = await startApi(t);
  t.deepEqual((await f.request("GET", "/calls")).body, []);
  f.acd.callList = [queuedCall, talkingCall];
  t.deepEqual((await f.request("GET", "/calls")).body, [queuedCall, talkingCall]);
});

test("GET /calls/:callId finds a call by its SIP Call-ID, percent-encoded", async (t) => {
  const f = await startApi(t);
  f.acd.callList = [queuedCall, talkingCall];
  const r = await f.request<CallView>("GET", `/calls/${encodeURIComponent(queuedCall.callId)}`);
  t.is(r.status, 200);
  t.deepEqual(r.body, queuedCall);
  t.deepEqual((await f.request("GET", "/calls/b2")).body, talkingCall);
  const missing = await f.request<{ error: { code: string; message: string } }>("GET", "/calls/gone");
  t.is(missing.status, 404);
  t.is(missing.body.error.code, "CTI_ERR_CALL_NOT_FOUND");
  t.regex(missing.body.error.message, /gone/);
});

test("GET /service-groups and /service-groups/:id show each group's queue and agents", async (t) => {
  const f = await startApi(t);
  f.acd.groupList = [sales, night];
  t.deepEqual((await f.request("GET", "/service-groups")).body, [sales, night]);
  t.deepEqual((await f.request("GET", "/service-groups/night")).body, night);
  const missing = await f.request<{ error: { code: string } }>("GET", "/service-groups/day");
  t.is(missing.status, 404);
  t.is(missing.body.error.code, "CTI_ERR_SERVICE_GROUP_UNKNOWN");
});

test("GET /health keeps its fields and needs no token", async (t) => {
  const f = await startApi(t, { tokens: ["a-token-that-is-long-enough-1234"] });
  f.links.set("cm-b1", "down");
  const r = await f.request<Record<string, unknown>>("GET", "/health");
  t.is(r.status, 200);
  t.is(r.body.status, "degraded");
  t.is(r.body.version, "9.9.9");
  t.deepEqual(r.body.callManagers, [
    { id: "cm-a1", name: "North 1", state: "up" },
    { id: "cm-a2", name: "North 2", state: "up" },
    { id: "cm-b1", name: "South 1", state: "down" },
  ]);
  t.deepEqual(r.body.media, { portsTotal: 10, portsFree: 10 });
  t.deepEqual(r.body.sip, { retransmissions: 0, malformed: 0, forbidden: 0 });
  t.is(r.body.activeCalls, 0);
  t.is(r.body.agentsLoggedOn, 0);
  t.is(typeof r.body.uptimeSeconds, "number");
});
