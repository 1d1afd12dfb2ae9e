// Phone agent failover between call managers, with a real EventBus, AgentRegistry, PhoneAgentService and SQLite store,
// and real CallManagerLink objects publishing linkUp/linkDown (their state is set the way their keepalive sets it).
// Site "north": n1, n2, n3, n4 (TAS) and nO (OAS); site "south": s1 (TAS).
import { Writable } from "node:stream";
import test, { type ExecutionContext } from "ava";
import BetterSqlite3 from "better-sqlite3";
import { AgentRegistry } from "../../cti/agents/agent-registry.js";
import { CallManagerFailover } from "../../cti/agents/call-manager-failover.js";
import { PhoneAgentService } from "../../cti/agents/phone-agent-service.js";
import { callManagerSchema, type CallManagerConfig } from "../../cti/config/schema.js";
import { EventBus, type BridgeEvents } from "../../cti/events/event-bus.js";
import { createLogger } from "../../cti/log.js";
import { CallManagerLink, type LinkState } from "../../cti/sip/call-manager-link.js";
import { openStore, type Store } from "../../cti/store/open-store.js";
import { isCtiError, Errors } from "../../cti/errors.js";
import { makeTempDir } from "../harness/temp-dir.js";

const TENANT = -1;
const CALL_MANAGERS: CallManagerConfig[] = [
  { id: "n1", name: "North 1", site: "north", type: "TAS", host: "127.0.0.1", port: 5071 },
  { id: "n2", name: "North 2", site: "north", type: "TAS", host: "127.0.0.1", port: 5072 },
  { id: "n3", name: "North 3", site: "north", type: "TAS", host: "127.0.0.1", port: 5073 },
  { id: "n4", name: "North 4", site: "north", type: "TAS", host: "127.0.0.1", port: 5074 },
  { id: "nO", name: "North OAS", site: "north", type: "OAS", host: "127.0.0.1", port: 5075 },
  { id: "s1", name: "South 1", site: "south", type: "TAS", host: "127.0.0.1", port: 5076 },
].map((cm) => callManagerSchema.parse(cm));

class JsonLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

type Recorded = { event: string; data: Record<string, unknown> };
const RECORDED = ["agent.logon", "agent.logoff", "agent.stateChanged", "callManager.failover"] as const;

async function setup(t: ExecutionContext, o: { links?: Partial<Record<string, LinkState>>; retryMs?: number; restorePhoneAgents?: boolean } = {}) {
  const dir = makeTempDir(t, "failover");
  const log = new JsonLines();
  const logger = createLogger({ level: "debug", destination: log });
  const storeFile = dir.join("store.sqlite");
  const store: Store = await openStore({ kind: "sqlite", file: storeFile }, logger);
  const rowIds = await store.callManagers.sync(TENANT, CALL_MANAGERS);
  const bus = new EventBus();
  const registry = new AgentRegistry(bus);
  const service = new PhoneAgentService({
    store, registry, bus, logger,
    settings: { tenantId: TENANT, restorePhoneAgents: o.restorePhoneAgents ?? true, lockoutThreshold: 5, stateAfterLogon: "ready" },
    callManagers: CALL_MANAGERS,
    callManagerRowIds: rowIds,
  });
  // Links are never start()ed: the test plays the keepalive's part through stateTransition().
  const links = new Map(CALL_MANAGERS.map((cm) => [cm.id, new CallManagerLink(cm, () => Promise.resolve(200), bus, logger)]));
  const setLink = (id: string, state: "up" | "down", reason = state === "up" ? "answered OPTIONS with 200" : "no answer to OPTIONS within 1000 ms") =>
    links.get(id)!.stateTransition(state, reason);
  for (const cm of CALL_MANAGERS) {
    const state = o.links?.[cm.id] ?? "up";
    if (state !== "unknown") setLink(cm.id, state);
  }
  const usage = { linkState: (id: string) => links.get(id)?.state ?? "unknown", agentCount: (id: string) => registry.countOnCallManager(id) };
  const failover = new CallManagerFailover({ bus, registry, phoneAgents: service, callManagers: CALL_MANAGERS, usage, retryMs: o.retryMs ?? 30_000, logger });
  t.teardown(async () => {
    await failover.close();
    await store.close();
  });
  const events: Recorded[] = [];
  for (const name of RECORDED) bus.on(name, (data: BridgeEvents[typeof name][0]) => events.push({ event: name, data: data as unknown as Record<string, unknown> }));
  return {
    store, storeFile, rowIds, bus, registry, service, failover, setLink, log, events,
    async logon(logonId: string, extension: string, callManagerId: string, ready = true) {
      let user = await store.users.get(TENANT, logonId);
      user ??= await store.users.add({ tenantId: TENANT, logonId, pin: "4711", restoreOption: "system" });
      return service.logon(user, extension, callManagerId, "api", ready);
    },
    /** Restore rows by logon ID: [call manager config id, phone number, ready]. */
    async restoreRows(): Promise<Record<string, [string | undefined, string, boolean]>> {
      const byRow = new Map([...rowIds].map(([id, row]) => [row, id]));
      const result: Record<string, [string | undefined, string, boolean]> = {};
      for (const row of await store.phoneAgentLogons.list()) {
        const user = await store.users.getById(row.agentId);
        result[user!.logonId] = [byRow.get(row.callManagerId), row.phoneNum, row.readyStatus];
      }
      return result;
    },
    where: () => Object.fromEntries(registry.all().map((a) => [a.logonId, a.callManagerId])),
    logged: (msg: string) => log.lines.filter((l) => l.msg === msg),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test("agents of a failed TAS call manager go to the least used active TAS call manager of the same site", async (t) => {
  const f = await setup(t, { links: { n4: "down" } });
  await f.logon("2001", "3001", "n2");
  await f.logon("2002", "3002", "n2");
  for (const [logonId, extension] of [["1001", "3101"], ["1002", "3102"], ["1003", "3103"], ["1004", "3104"]] as const) await f.logon(logonId, extension, "n1");
  await f.service.setNotReady("1002", "lunch");
  const before = new Map(f.registry.all().map((a) => [a.logonId, a]));
  f.failover.start();
  f.events.length = 0;

  f.setLink("n1", "down");
  await f.failover.settled();

  // n2 had 2 agents and n3 none: n3, n3, then n2 (tie, configuration order), then n3. Never n4 (down), nO (OAS),
  // s1 (other site).
  t.deepEqual(f.where(), { "2001": "n2", "2002": "n2", "1001": "n3", "1002": "n3", "1003": "n2", "1004": "n3" });
  for (const agent of f.registry.all()) {
    const old = before.get(agent.logonId)!;
    t.is(agent.extension, old.extension, "the extension is kept");
    t.is(agent.state, old.state, "the state is kept");
    t.is(agent.stateSince, old.stateSince, "the state's start time is kept");
    t.is(agent.notReadyReason, old.notReadyReason);
  }
  t.is(f.registry.atExtension("n3", "3101")?.logonId, "1001", "the agent is found at its extension on the new call manager");
  t.is(f.registry.atExtension("n1", "3101"), undefined);
  t.deepEqual(await f.restoreRows(), {
    "2001": ["n2", "3001", true],
    "2002": ["n2", "3002", true],
    "1001": ["n3", "3101", true],
    "1002": ["n3", "3102", false],
    "1003": ["n2", "3103", true],
    "1004": ["n3", "3104", true],
  });
  t.deepEqual(f.events, [
    {
      event: "callManager.failover",
      data: {
        callManagerId: "n1", name: "North 1", site: "north", host: "127.0.0.1", port: 5071, transport: "udp",
        reason: "no answer to OPTIONS within 1000 ms", toCallManagerId: "n3",
      },
    },
  ], "one failover event naming the call manager most agents went to; no logon, logoff or state change");
  t.deepEqual(
    f.logged("phone agent moved to another call manager").map((l) => `${String(l.logonId)}:${String(l.from)}->${String(l.to)}:${String(l.state)}`),
    ["1001:n1->n3:idleReady", "1002:n1->n3:idleNotReady", "1003:n1->n2:idleReady", "1004:n1->n3:idleReady"],
  );
  t.like(f.logged("phone agents failed over to another call manager")[0], { callManagerId: "n1", site: "north", moved: { n3: 3, n2: 1 }, left: 0 });
  t.deepEqual(f.failover.waiting, []);
});

test("agents with a call are moved with their state and the call goes on; their restore row stays ready", async (t) => {
  const f = await setup(t);
  for (const [logonId, extension] of [["1001", "3101"], ["1002", "3102"], ["1003", "3103"], ["1004", "3104"]] as const) await f.logon(logonId, extension, "n1");
  // What the call distributor does with agents it offers calls to.
  f.registry.transition("1001", "reserved");
  f.registry.transition("1002", "reserved");
  f.registry.transition("1002", "talking");
  f.registry.transition("1003", "reserved");
  f.registry.transition("1003", "talking");
  f.registry.transition("1003", "clerical");
  f.registry.transition("1004", "reserved");
  f.registry.transition("1004", "talking");
  f.registry.transition("1004", "callWaiting");
  f.failover.start();
  f.events.length = 0;

  f.setLink("n1", "down");
  await f.failover.settled();

  t.deepEqual(Object.fromEntries(f.registry.all().map((a) => [a.logonId, `${a.callManagerId}:${a.state}`])), {
    "1001": "n2:reserved", "1002": "n3:talking", "1003": "n4:clerical", "1004": "n2:callWaiting",
  });
  t.deepEqual(f.events.map((e) => e.event), ["callManager.failover"], "no state change, logoff or logon");
  const rows = await f.restoreRows();
  t.deepEqual(Object.values(rows).map(([cm, , ready]) => `${cm}:${ready}`).sort(), ["n2:true", "n2:true", "n3:true", "n4:true"]);
  // The call goes on where it is: the distributor's next moves work on the moved agent.
  f.registry.transition("1002", "clerical");
  f.registry.transition("1002", "idleReady");
  await f.service.setNotReady("1003");
  t.like(f.registry.get("1003"), { callManagerId: "n4", state: "idleNotReady" });
  t.deepEqual((await f.restoreRows())["1003"], ["n4", "3103", false], "a later not-ready is written against the new call manager");
});

// Serial: it measures timer spacing, which the 1000-agent test would stretch by keeping the event loop busy.
test.serial("with no other active TAS call manager in the site, the move is retried every failoverRetry until one is up", async (t) => {
  const retryMs = 150;
  const f = await setup(t, { retryMs, links: { n2: "down", n3: "down", n4: "unknown" } });
  await f.logon("1001", "3101", "n1");
  await f.logon("1002", "3102", "n1");
  f.failover.start();
  f.events.length = 0;

  f.setLink("n1", "down");
  await f.failover.settled();
  t.deepEqual(f.where(), { "1001": "n1", "1002": "n1" }, "nobody moves to a down or never-probed call manager, an OAS one or another site");
  t.deepEqual(f.failover.waiting, ["n1"]);
  const waitMsg = "no other active call manager in the site; phone agents wait for a retry";
  const triesFrom = Date.now();
  await eventually(() => (f.logged(waitMsg).length >= 3 ? true : undefined), retryMs * 20, "two retries");
  const waits = f.logged(waitMsg);
  t.true(Date.now() - triesFrom >= retryMs * 2, "retries are a failoverRetry apart");
  t.like(waits[0], { callManagerId: "n1", site: "north", agents: 2, retryInMs: retryMs });
  t.deepEqual(f.events, [], "nothing moved, no failover event yet");

  const upAt = Date.now();
  f.setLink("n3", "up");
  await eventually(() => (f.registry.countOnCallManager("n3") === 2 ? true : undefined), retryMs + 3000, "agents on n3");
  const tookMs = Date.now() - upAt;
  t.true(tookMs <= retryMs + 500, `moved at the next retry (${tookMs} ms after n3 came up)`);
  await f.failover.settled();
  t.deepEqual(f.events.map((e) => [e.event, e.data.callManagerId, e.data.toCallManagerId]), [["callManager.failover", "n1", "n3"]]);
  t.deepEqual(f.failover.waiting, []);
  const after = f.logged(waitMsg).length;
  await sleep(retryMs * 2);
  t.is(f.logged(waitMsg).length, after, "no retry once everyone moved");
});

test("when the failed call manager comes back before another is found, the retry stops and the agents stay", async (t) => {
  const retryMs = 100;
  const f = await setup(t, { retryMs, links: { n2: "down", n3: "down", n4: "down" } });
  await f.logon("1001", "3101", "n1");
  f.failover.start();
  f.setLink("n1", "down");
  await f.failover.settled();
  t.deepEqual(f.failover.waiting, ["n1"]);
  f.setLink("n1", "up");
  t.deepEqual(f.failover.waiting, []);
  t.like(f.logged("call manager is back before another was found; its phone agents stay on it")[0], { callManagerId: "n1", agents: 1 });
  f.setLink("n2", "up");
  await sleep(retryMs * 3);
  t.deepEqual(f.where(), { "1001": "n1" });
  t.deepEqual(f.events.filter((e) => e.event === "callManager.failover"), []);
});

test("agents of an OAS call manager are never failed over", async (t) => {
  const f = await setup(t, { retryMs: 50 });
  await f.logon("1001", "3101", "nO");
  f.failover.start();
  f.setLink("nO", "down");
  await f.failover.settled();
  await sleep(150);
  t.deepEqual(f.where(), { "1001": "nO" });
  t.deepEqual(f.failover.waiting, []);
  t.deepEqual(f.events.filter((e) => e.event === "callManager.failover"), []);
  t.like(f.logged("OAS call manager down; its phone agents are not failed over")[0], { callManagerId: "nO", agents: 1 });
});

test("start() fails over call managers that are already down with agents on them (e.g. restored while all were down)", async (t) => {
  const f = await setup(t, { links: { n1: "down", n2: "down", n3: "down" } });
  await f.logon("1001", "3101", "n1");
  await f.logon("1002", "3102", "n2");
  f.failover.start();
  await f.failover.settled();
  t.deepEqual(f.where(), { "1001": "n4", "1002": "n4" });
  t.deepEqual(
    f.events.filter((e) => e.event === "callManager.failover").map((e) => [e.data.callManagerId, e.data.toCallManagerId, e.data.reason]).sort(),
    [["n1", "n4", "link down"], ["n2", "n4", "link down"]],
  );
});

test("an agent whose extension is taken at the target stays and is retried; one who left meanwhile is not moved", async (t) => {
  const retryMs = 100;
  const f = await setup(t, { retryMs, links: { n3: "down", n4: "down" } });
  await f.logon("1001", "3101", "n1");
  await f.logon("1002", "3102", "n1");
  await f.logon("2001", "3101", "n2"); // the same extension number through n2
  f.failover.start();
  f.setLink("n1", "down");
  await f.failover.settled();
  t.deepEqual(f.where(), { "1001": "n1", "1002": "n2", "2001": "n2" });
  t.like(f.logged("phone agent not moved")[0], { logonId: "1001", from: "n1", to: "n2" });
  t.deepEqual(f.failover.waiting, ["n1"]);
  await f.service.logoff("1001", "api");
  await sleep(retryMs + 50);
  await f.failover.settled();
  t.deepEqual(f.failover.waiting, [], "nothing left to move");

  // moveToCallManager only moves an agent still at the call manager it is moved from.
  await f.logon("1003", "3103", "n2");
  const unchanged = await f.service.moveToCallManager("1003", "n1", "s1");
  t.is(unchanged.callManagerId, "n2");
  const error = await t.throwsAsync(f.service.moveToCallManager("9999", "n1"));
  t.true(isCtiError(error, Errors.AGENT_NOT_LOGGED_ON));
  const unknown = await t.throwsAsync(f.service.moveToCallManager("1003", "nowhere"));
  t.true(isCtiError(unknown, Errors.CALL_MANAGER_UNKNOWN));
});

test("an agent without restore keeps having no restore row after the move", async (t) => {
  const f = await setup(t, { restorePhoneAgents: false });
  await f.logon("1001", "3101", "n1");
  f.failover.start();
  f.setLink("n1", "down");
  await f.failover.settled();
  t.is(f.registry.get("1001")?.callManagerId, "n2");
  t.deepEqual(await f.restoreRows(), {});
});

test("close() stops following links, cancels retries and is idempotent", async (t) => {
  const f = await setup(t, { retryMs: 50, links: { n2: "down", n3: "down", n4: "down" } });
  await f.logon("1001", "3101", "n1");
  f.failover.start();
  f.setLink("n1", "down");
  await f.failover.settled();
  t.deepEqual(f.failover.waiting, ["n1"]);
  await Promise.all([f.failover.close(), f.failover.close()]);
  t.deepEqual(f.failover.waiting, []);
  t.is(f.bus.listenerCount("callManager.linkDown"), 0);
  f.setLink("n2", "up");
  await sleep(150);
  t.is(f.registry.get("1001")?.callManagerId, "n1");
  f.failover.start(); // a closed failover stays closed
  t.is(f.bus.listenerCount("callManager.linkDown"), 0);
});

test.serial("1000 agents fail over in one round, spread evenly over the active call managers", async (t) => {
  const f = await setup(t);
  const count = 1000;
  await f.store.users.add({ tenantId: TENANT, logonId: "5000", pin: "4711" });
  // Users are copied in SQL: hashing 1000 PINs with scrypt would take most of a minute.
  const db = new BetterSqlite3(f.storeFile);
  const copy = db.prepare(
    `INSERT INTO cc_user (tenant_id, logon_id, pin_hash, first_name, last_name, personal_dn, phone_agent_logon, locked, failed_attempts, created_at, updated_at)
     SELECT tenant_id, ?, pin_hash, first_name, last_name, personal_dn, phone_agent_logon, locked, failed_attempts, created_at, updated_at FROM cc_user WHERE logon_id = '5000'`,
  );
  db.transaction(() => {
    for (let i = 1; i < count; i++) copy.run(String(5000 + i));
  })();
  db.close();
  for (let i = 0; i < count; i++) await f.logon(String(5000 + i), String(30000 + i), "n1");
  f.failover.start();
  const started = performance.now();
  f.setLink("n1", "down");
  await f.failover.settled();
  const ms = performance.now() - started;
  t.log(`${count} agents failed over in ${ms.toFixed(0)} ms`);
  t.deepEqual([f.registry.countOnCallManager("n2"), f.registry.countOnCallManager("n3"), f.registry.countOnCallManager("n4")], [334, 333, 333]);
  const rows = await f.restoreRows();
  t.is(Object.values(rows).filter(([cm]) => cm === "n1").length, 0, "every restore row points at the new call manager");
  t.true(ms < 10_000, `${ms} ms`);
});
