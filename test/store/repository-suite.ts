// The repository test suite, written once and run against every database: SQLite always
// (repositories.sqlite.test.ts), SQL Server when MSSQL_URL is set (repositories.mssql.test.ts).
// Tests share a database on SQL Server, so each one works in a tenant of its own and looks only at its own rows.
import type { ExecutionContext } from "ava";
import type { CallManagerConfig } from "../../cti/config/schema.js";
import { Errors, isCtiError } from "../../cti/errors.js";
import type { NewCallDetail, Store } from "../../cti/store/open-store.js";
import { mentionsPin } from "../harness/mentions-pin.js";

export interface OpenedStore {
  store: Store;
  /** Runs SQL on a connection of its own, the way a customer's script would ("inserted by hand"). */
  rawSql(statement: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface StoreHarness {
  open(): Promise<OpenedStore>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tenant id no other test (or earlier run against the same SQL Server) uses. */
function freshTenant(): number {
  return 100_000 + Math.floor(Math.random() * 1_000_000_000);
}

function callManager(id: string, overrides: Partial<CallManagerConfig> = {}): CallManagerConfig {
  return {
    id,
    name: `Call manager ${id}`,
    site: "hq",
    type: "TAS",
    host: "127.0.0.1",
    port: 5060,
    transport: "udp",
    keepalive: { interval: 5000, timeout: 2000 },
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);

/** An answered call's record; overrides change single fields. */
function callDetail(tenantId: number, callId: string, overrides: Partial<NewCallDetail> = {}): NewCallDetail {
  return {
    tenantId,
    callId,
    visit: 1,
    serviceAccess: "sales-access",
    serviceGroup: "sales",
    dialedNumber: "3000",
    callerNumber: "0701234567",
    callerName: "Åsa Öberg",
    arrivedAt: at("2024-05-01T08:00:00.125Z"),
    answeredAt: at("2024-05-01T08:00:24.250Z"),
    endedAt: at("2024-05-01T08:01:24.375Z"),
    outcome: "answered",
    logonId: "1001",
    extension: "2001",
    waitMs: 24_125,
    alertingMs: 4_000,
    talkMs: 60_125,
    clericalMs: null,
    offers: 2,
    releasedBy: "agent",
    ...overrides,
  };
}

/** ava's `test` or `test.serial` (SQL Server runs serially: the tests share one database). */
export type RegisterTest = (title: string, implementation: (t: ExecutionContext) => Promise<void>) => void;

export function defineRepositorySuite(test: RegisterTest, label: string, harness: StoreHarness): void {
  /** Opens the store for one test in a fresh tenant, and removes that tenant's rows afterwards. */
  async function withStore(run: (ctx: OpenedStore & { tenant: number }) => Promise<void>): Promise<void> {
    const opened = await harness.open();
    const tenant = freshTenant();
    try {
      await run({ ...opened, tenant });
    } finally {
      await opened.rawSql(`delete from call_detail where tenant_id = ${tenant}`);
      await opened.rawSql(`delete from phone_agent_logon where tenant_id = ${tenant}`);
      await opened.rawSql(`delete from cc_user where tenant_id = ${tenant}`);
      await opened.rawSql(`delete from site_server_param where tenant_id = ${tenant}`);
      await opened.close();
    }
  }

  test(`${label}: users are added, read, listed by logon ID and removed`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const added = await store.users.add({ tenantId: tenant, logonId: "1002", pin: "1234", firstName: "Åsa", lastName: "Öberg", personalNumber: "2002", restoreOption: "priority" });
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "4321" });
      t.like(added, { tenantId: tenant, logonId: "1002", firstName: "Åsa", lastName: "Öberg", personalNumber: "2002", restoreOption: "priority", locked: false, failedAttempts: 0 });
      t.deepEqual(await store.users.get(tenant, "1002"), added);
      t.deepEqual(await store.users.getById(added.id), added);
      t.deepEqual((await store.users.list(tenant)).map((u) => u.logonId), ["1001", "1002"]);
      t.like(await store.users.get(tenant, "1001"), { firstName: null, personalNumber: null, restoreOption: "system" });

      await store.users.remove(tenant, "1002");
      t.is(await store.users.get(tenant, "1002"), undefined);
      t.deepEqual((await store.users.list(tenant)).map((u) => u.logonId), ["1001"]);
      const missing = await t.throwsAsync(store.users.remove(tenant, "1002"));
      t.true(isCtiError(missing, Errors.USER_NOT_FOUND));
    });
  });

  test(`${label}: a duplicate logon ID in the same tenant is refused with USER_EXISTS, another tenant may reuse it`, async (t) => {
    await withStore(async ({ store, tenant, rawSql }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      const err = await t.throwsAsync(store.users.add({ tenantId: tenant, logonId: "1001", pin: "5678" }));
      t.true(isCtiError(err, Errors.USER_EXISTS), String(err));
      const other = tenant + 1;
      try {
        t.is((await store.users.add({ tenantId: other, logonId: "1001", pin: "1234" })).tenantId, other);
      } finally {
        await rawSql(`delete from cc_user where tenant_id = ${other}`);
      }
    });
  });

  test(`${label}: a PIN must be 4 to 12 digits`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      for (const pin of ["123", "1234567890123", "12a4", "", " 1234"]) {
        const err = await t.throwsAsync(store.users.add({ tenantId: tenant, logonId: "1001", pin }));
        t.true(isCtiError(err, Errors.PIN_INVALID), `PIN ${JSON.stringify(pin)}`);
      }
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "123456789012" });
      const err = await t.throwsAsync(store.users.setPin(tenant, "1001", "12"));
      t.true(isCtiError(err, Errors.PIN_INVALID));
    });
  });

  test(`${label}: PINs are stored as salted scrypt hashes, so equal PINs get different hashes`, async (t) => {
    await withStore(async ({ store, tenant, rawSql }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "6172839" });
      await store.users.add({ tenantId: tenant, logonId: "1002", pin: "6172839" });
      const rows = await rawSql(`select logon_id, pin_hash from cc_user where tenant_id = ${tenant} order by logon_id`);
      const hashes = rows.map((r) => String(r.pin_hash));
      t.is(hashes.length, 2);
      for (const h of hashes) {
        t.regex(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
        t.false(mentionsPin(h, "6172839"));
      }
      t.not(hashes[0], hashes[1]);
    });
  });

  test(`${label}: setPin replaces the PIN and resets the failure count; unknown users get USER_NOT_FOUND`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      await store.users.verifyPin(tenant, "1001", "0000", 5);
      t.is((await store.users.get(tenant, "1001"))?.failedAttempts, 1);
      await store.users.setPin(tenant, "1001", "87654321");
      t.is((await store.users.get(tenant, "1001"))?.failedAttempts, 0);
      t.like(await store.users.verifyPin(tenant, "1001", "1234", 5), { ok: false, reason: "wrongPin" });
      t.like(await store.users.verifyPin(tenant, "1001", "87654321", 5), { ok: true });
      const err = await t.throwsAsync(store.users.setPin(tenant, "9999", "1234"));
      t.true(isCtiError(err, Errors.USER_NOT_FOUND));
    });
  });

  test(`${label}: update changes only the given fields and null clears one`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234", firstName: "Ann", lastName: "Lee", personalNumber: "2001" });
      const updated = await store.users.update(tenant, "1001", { lastName: "Ström", personalNumber: null, restoreOption: "never" });
      t.like(updated, { firstName: "Ann", lastName: "Ström", personalNumber: null, restoreOption: "never" });
      t.deepEqual(await store.users.get(tenant, "1001"), updated);
      const err = await t.throwsAsync(store.users.update(tenant, "9999", { firstName: "X" }));
      t.true(isCtiError(err, Errors.USER_NOT_FOUND));
    });
  });

  test(`${label}: verifyPin counts wrong PINs and locks the account when they reach the threshold`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const user = await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      t.deepEqual(await store.users.verifyPin(tenant, "1001", "1234", 3), { ok: true, user });
      t.like(await store.users.verifyPin(tenant, "1001", "1111", 3), { ok: false, reason: "wrongPin", failedAttempts: 1, lockedNow: false });
      t.like(await store.users.verifyPin(tenant, "1001", "2222", 3), { ok: false, reason: "wrongPin", failedAttempts: 2, lockedNow: false });
      t.like(await store.users.verifyPin(tenant, "1001", "3333", 3), { ok: false, reason: "wrongPin", failedAttempts: 3, lockedNow: true, user: { locked: true } });
      // Locked: even the right PIN is refused, and nothing more is counted.
      t.like(await store.users.verifyPin(tenant, "1001", "1234", 3), { ok: false, reason: "locked", failedAttempts: 3 });
      t.like(await store.users.verifyPin(tenant, "1001", "4444", 3), { ok: false, reason: "locked", failedAttempts: 3 });
      t.like(await store.users.get(tenant, "1001"), { locked: true, failedAttempts: 3 });
      t.deepEqual(await store.users.verifyPin(tenant, "nobody", "1234", 3), { ok: false, reason: "unknownUser" });
    });
  });

  test(`${label}: a right PIN clears the count, and threshold 0 never locks`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      for (let i = 1; i <= 4; i++) t.like(await store.users.verifyPin(tenant, "1001", "9999", 0), { reason: "wrongPin", failedAttempts: i, lockedNow: false });
      const ok = await store.users.verifyPin(tenant, "1001", "1234", 0);
      t.like(ok, { ok: true, user: { failedAttempts: 0, locked: false } });
      t.is((await store.users.get(tenant, "1001"))?.failedAttempts, 0);
    });
  });

  test(`${label}: lock refuses logon and unlock clears the lock and the failed attempts`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      await store.users.verifyPin(tenant, "1001", "9999", 5);
      await store.users.lock(tenant, "1001");
      t.like(await store.users.verifyPin(tenant, "1001", "1234", 5), { ok: false, reason: "locked" });
      await store.users.unlock(tenant, "1001");
      t.like(await store.users.get(tenant, "1001"), { locked: false, failedAttempts: 0 });
      t.like(await store.users.verifyPin(tenant, "1001", "1234", 5), { ok: true });
      for (const op of [store.users.lock(tenant, "9999"), store.users.unlock(tenant, "9999")]) {
        t.true(isCtiError(await t.throwsAsync(op), Errors.USER_NOT_FOUND));
      }
    });
  });

  test(`${label}: concurrent wrong PINs are all counted and exactly one of them locks the account`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.users.add({ tenantId: tenant, logonId: "1001", pin: "6172839" });
      await store.users.add({ tenantId: tenant, logonId: "1002", pin: "6172839" });

      const unlimited = await Promise.all(Array.from({ length: 8 }, () => store.users.verifyPin(tenant, "1001", "9999", 0)));
      t.deepEqual(unlimited.map((r) => (r.ok ? 0 : r.failedAttempts)).sort((a, b) => (a ?? 0) - (b ?? 0)), [1, 2, 3, 4, 5, 6, 7, 8]);
      t.is((await store.users.get(tenant, "1001"))?.failedAttempts, 8);

      // Threshold 5 with 8 attempts at once, the right PIN among them: exactly one attempt locks the account, and it
      // ends locked with 5 failures.
      const attempts = [...Array.from({ length: 7 }, () => "9999"), "1234"];
      const results = await Promise.all(attempts.map((pin) => store.users.verifyPin(tenant, "1002", pin, 5)));
      const wrong = results.filter((r) => !r.ok && r.reason === "wrongPin");
      // Hashing finishes in any order: a right PIN checked before the lock clears the count (it is a success), so
      // the wrong PINs counted before it start again from zero; after the lock it is refused like the others.
      if (results[7]!.ok) t.true(wrong.length >= 5 && wrong.length <= 7, `${wrong.length} wrong PINs counted`);
      else t.is(wrong.length, 5);
      t.is(wrong.filter((r) => !r.ok && r.lockedNow).length, 1);
      t.like(await store.users.get(tenant, "1002"), { locked: true, failedAttempts: 5 });
    });
  });

  test(`${label}: phone agent logons are saved, updated, listed priority first then oldest, and removed`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const cms = await store.callManagers.sync(tenant, [callManager(`t${tenant}-a`)]);
      const cm = cms.get(`t${tenant}-a`)!;
      const [a, b, c] = await Promise.all(["1001", "1002", "1003"].map((logonId) => store.users.add({ tenantId: tenant, logonId, pin: "1234" })));
      const mine = async () => (await store.phoneAgentLogons.list()).filter((r) => r.tenantId === tenant);

      await store.phoneAgentLogons.save({ agentId: a!.id, tenantId: tenant, callManagerId: cm, phoneNum: "2001", readyStatus: true, priorityLogon: false });
      await sleep(15);
      await store.phoneAgentLogons.save({ agentId: b!.id, tenantId: tenant, callManagerId: cm, phoneNum: "2002", readyStatus: false, priorityLogon: false });
      await sleep(15);
      await store.phoneAgentLogons.save({ agentId: c!.id, tenantId: tenant, callManagerId: cm, phoneNum: "2003", readyStatus: true, priorityLogon: true });
      t.deepEqual((await mine()).map((r) => r.phoneNum), ["2003", "2001", "2002"]);
      const first = (await mine()).find((r) => r.agentId === a!.id)!;
      t.like(first, { callManagerId: cm, phoneNum: "2001", readyStatus: true, priorityLogon: false });
      t.true(first.timeStamp instanceof Date && Math.abs(first.timeStamp.getTime() - Date.now()) < 60_000);

      // Saving again updates the row (one row per agent) and its time stamp, so it becomes the newest.
      await sleep(15);
      await store.phoneAgentLogons.save({ agentId: a!.id, tenantId: tenant, callManagerId: cm, phoneNum: "2011", readyStatus: false, priorityLogon: false });
      const after = await mine();
      t.deepEqual(after.map((r) => [r.agentId, r.phoneNum, r.readyStatus]), [[c!.id, "2003", true], [b!.id, "2002", false], [a!.id, "2011", false]]);

      await store.phoneAgentLogons.remove(b!.id);
      await store.phoneAgentLogons.remove(b!.id);
      t.deepEqual((await mine()).map((r) => r.agentId), [c!.id, a!.id]);
      // Removing a user removes the user's stored logon.
      await store.users.remove(tenant, "1003");
      t.deepEqual((await mine()).map((r) => r.agentId), [a!.id]);
    });
  });

  test(`${label}: a phone agent logon for an unknown agent or call manager is refused`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const cm = (await store.callManagers.sync(tenant, [callManager(`t${tenant}-a`)])).get(`t${tenant}-a`)!;
      const user = await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      const base = { tenantId: tenant, phoneNum: "2001", readyStatus: true, priorityLogon: false };
      t.true(isCtiError(await t.throwsAsync(store.phoneAgentLogons.save({ ...base, agentId: 2_000_000_000, callManagerId: cm })), Errors.BAD_REQUEST));
      t.true(isCtiError(await t.throwsAsync(store.phoneAgentLogons.save({ ...base, agentId: user.id, callManagerId: 2_000_000_000 })), Errors.BAD_REQUEST));
    });
  });

  test(`${label}: a phone_agent_logon row inserted by hand with SQL is listed`, async (t) => {
    await withStore(async ({ store, tenant, rawSql }) => {
      const cm = (await store.callManagers.sync(tenant, [callManager(`t${tenant}-a`)])).get(`t${tenant}-a`)!;
      const a = await store.users.add({ tenantId: tenant, logonId: "1001", pin: "1234" });
      const b = await store.users.add({ tenantId: tenant, logonId: "1002", pin: "1234" });
      const c = await store.users.add({ tenantId: tenant, logonId: "1003", pin: "1234" });
      await store.phoneAgentLogons.save({ agentId: a.id, tenantId: tenant, callManagerId: cm, phoneNum: "2001", readyStatus: false, priorityLogon: false });
      // The manual's columns, as a customer populating the table without logging agents on would write them.
      await rawSql(
        `insert into phone_agent_logon (agent_id, tenant_id, call_manager_id, phone_num, ready_status, priority_logon, time_stamp) ` +
          `values (${b.id}, ${tenant}, ${cm}, '2002', 1, 0, '2020-01-01 08:00:00')`,
      );
      await rawSql(`insert into phone_agent_logon (agent_id, tenant_id, call_manager_id, phone_num, ready_status, priority_logon) values (${c.id}, ${tenant}, ${cm}, '2003', 0, 1)`);
      const rows = (await store.phoneAgentLogons.list()).filter((r) => r.tenantId === tenant);
      t.deepEqual(rows.map((r) => r.agentId), [c.id, b.id, a.id]);
      t.deepEqual(rows[1], { agentId: b.id, tenantId: tenant, callManagerId: cm, phoneNum: "2002", readyStatus: true, priorityLogon: false, timeStamp: new Date("2020-01-01T08:00:00Z") });
      t.like(rows[0], { readyStatus: false, priorityLogon: true });
      t.true(Math.abs(rows[0]!.timeStamp.getTime() - Date.now()) < 60_000, "the default time_stamp is now (UTC)");
    });
  });

  test(`${label}: syncing call managers is an idempotent upsert by config id`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const [x, y, z] = [`t${tenant}-x`, `t${tenant}-y`, `t${tenant}-z`];
      const first = await store.callManagers.sync(tenant, [callManager(x), callManager(y, { type: "OAS", transport: "tcp", port: 5070 })]);
      const again = await store.callManagers.sync(tenant, [callManager(x), callManager(y, { type: "OAS", transport: "tcp", port: 5070 })]);
      t.deepEqual([...again], [...first]);
      const mine = async () => (await store.callManagers.list()).filter((r) => r.tenantId === tenant);
      t.deepEqual(await mine(), [
        { id: first.get(x)!, tenantId: tenant, configId: x, name: `Call manager ${x}`, siteId: "hq", serverType: "TAS", address: "127.0.0.1", port: 5060, transport: "udp" },
        { id: first.get(y)!, tenantId: tenant, configId: y, name: `Call manager ${y}`, siteId: "hq", serverType: "OAS", address: "127.0.0.1", port: 5070, transport: "tcp" },
      ]);

      // A changed address updates the row in place; a new call manager gets a new id; a dropped one is kept.
      const third = await store.callManagers.sync(tenant, [callManager(x, { host: "127.0.0.2" }), callManager(z)]);
      t.is(third.get(x), first.get(x));
      t.false([first.get(x), first.get(y)].includes(third.get(z)));
      t.deepEqual((await mine()).map((r) => [r.configId, r.address]), [[x, "127.0.0.2"], [y, "127.0.0.1"], [z, "127.0.0.1"]]);
    });
  });

  test(`${label}: a call detail record is stored and read back field for field, once per call and visit`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const answered = callDetail(tenant, "a84b4c76e66710@pc33.example.com");
      t.true(await store.callDetails.insert(answered));
      const stored = await store.callDetails.get(tenant, answered.callId);
      t.true(Number.isInteger(stored?.id));
      t.deepEqual(stored, { ...answered, id: stored!.id });

      const abandoned = callDetail(tenant, "abandoned-1", {
        callerName: null,
        callerNumber: "",
        answeredAt: null,
        outcome: "abandoned",
        logonId: null,
        extension: null,
        waitMs: 30_000,
        alertingMs: 0,
        talkMs: 0,
        offers: 0,
        releasedBy: "caller",
      });
      t.true(await store.callDetails.insert(abandoned));
      t.like(await store.callDetails.get(tenant, "abandoned-1"), { callerName: null, callerNumber: "", answeredAt: null, logonId: null, extension: null, clericalMs: null, releasedBy: "caller" });

      // A repeated write of the same call and visit stores nothing and changes nothing.
      t.false(await store.callDetails.insert({ ...answered, talkMs: 1 }));
      t.is((await store.callDetails.get(tenant, answered.callId))?.talkMs, 60_125);
      t.is(await store.callDetails.get(tenant, "never-seen"), undefined);
      t.is(await store.callDetails.get(tenant + 1, answered.callId), undefined, "another tenant does not see the record");

      // The same call overflowed into a second group: a second visit; get() answers with the last one.
      const second = callDetail(tenant, "abandoned-1", { visit: 2, serviceGroup: "support", outcome: "answered", arrivedAt: abandoned.endedAt });
      t.true(await store.callDetails.insert(second));
      t.like(await store.callDetails.get(tenant, "abandoned-1"), { visit: 2, serviceGroup: "support" });
      t.deepEqual((await store.callDetails.visits(tenant, "abandoned-1")).map((r) => [r.visit, r.serviceGroup, r.outcome]), [
        [1, "sales", "abandoned"],
        [2, "support", "answered"],
      ]);
    });
  });

  test(`${label}: call details are listed by arrival in [from, to), by group and by agent, up to a limit`, async (t) => {
    await withStore(async ({ store, tenant, rawSql }) => {
      const rows: [string, string, string | null, string][] = [
        ["c3", "sales", "1002", "2024-05-01T09:30:00.000Z"],
        ["c1", "sales", "1001", "2024-05-01T08:00:00.000Z"],
        ["c5", "support", "1001", "2024-05-01T11:00:00.000Z"],
        ["c2", "support", null, "2024-05-01T08:59:59.999Z"],
        ["c4", "sales", "1001", "2024-05-01T10:00:00.000Z"],
      ];
      for (const [callId, serviceGroup, logonId, arrived] of rows) {
        const arrivedAt = at(arrived);
        await store.callDetails.insert(callDetail(tenant, callId, { serviceGroup, logonId, arrivedAt, answeredAt: null, endedAt: new Date(arrivedAt.getTime() + 1000) }));
      }
      const other = tenant + 1;
      try {
        await store.callDetails.insert(callDetail(other, "c1", { arrivedAt: at("2024-05-01T08:30:00.000Z") }));
        const ids = async (range: Partial<Parameters<Store["callDetails"]["list"]>[0]>) =>
          (await store.callDetails.list({ tenantId: tenant, from: at("2024-05-01T00:00:00Z"), to: at("2024-05-02T00:00:00Z"), limit: 100, ...range })).map((r) => r.callId);

        t.deepEqual(await ids({}), ["c1", "c2", "c3", "c4", "c5"], "oldest first, only the tenant's own");
        t.deepEqual(await ids({ from: at("2024-05-01T08:59:59.999Z"), to: at("2024-05-01T10:00:00.000Z") }), ["c2", "c3"], "from is inclusive, to exclusive, to the millisecond");
        t.deepEqual(await ids({ serviceGroup: "sales" }), ["c1", "c3", "c4"]);
        t.deepEqual(await ids({ logonId: "1001" }), ["c1", "c4", "c5"]);
        t.deepEqual(await ids({ serviceGroup: "sales", logonId: "1001", from: at("2024-05-01T09:00:00Z") }), ["c4"]);
        t.deepEqual(await ids({ limit: 2 }), ["c1", "c2"]);
        t.deepEqual(await ids({ serviceGroup: "nobody" }), []);
        for (const limit of [0, -1, 1.5, 10_001]) {
          t.true(isCtiError(await t.throwsAsync(ids({ limit })), Errors.BAD_REQUEST), `limit ${limit}`);
        }
      } finally {
        await rawSql(`delete from call_detail where tenant_id = ${other}`);
      }
    });
  });

  test(`${label}: setClerical fills the clerical time of the call's last visit`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      await store.callDetails.insert(callDetail(tenant, "c1", { outcome: "overflowed", answeredAt: null, logonId: null, extension: null, releasedBy: null }));
      await store.callDetails.insert(callDetail(tenant, "c1", { visit: 2, serviceGroup: "support" }));
      await store.callDetails.insert(callDetail(tenant, "c2"));
      await store.callDetails.setClerical(tenant, "c1", 15_000);
      t.deepEqual((await store.callDetails.visits(tenant, "c1")).map((r) => r.clericalMs), [null, 15_000]);
      t.is((await store.callDetails.get(tenant, "c2"))?.clericalMs, null, "other calls are untouched");
      await store.callDetails.setClerical(tenant, "c1", 0);
      t.is((await store.callDetails.get(tenant, "c1"))?.clericalMs, 0);
      t.true(isCtiError(await t.throwsAsync(store.callDetails.setClerical(tenant, "nope", 1000)), Errors.CALL_NOT_FOUND));
      t.true(isCtiError(await t.throwsAsync(store.callDetails.setClerical(tenant + 1, "c1", 1000)), Errors.CALL_NOT_FOUND));
      t.true(isCtiError(await t.throwsAsync(store.callDetails.setClerical(tenant, "c1", -5)), Errors.BAD_REQUEST));
    });
  });

  test(`${label}: a call detail record that does not fit its columns is refused with BAD_REQUEST`, async (t) => {
    await withStore(async ({ store, tenant }) => {
      const bad: Partial<NewCallDetail>[] = [
        { outcome: "lost" as NewCallDetail["outcome"] },
        { releasedBy: "nobody" as NewCallDetail["releasedBy"] },
        { callerName: "x".repeat(101) },
        { callId: "" },
        { callId: "x".repeat(256) },
        { serviceGroup: "g".repeat(65) },
        { waitMs: -1 },
        { talkMs: 1.5 },
        { offers: 2 ** 31 },
        { visit: 0 },
        { arrivedAt: new Date(Number.NaN) },
      ];
      for (const overrides of bad) {
        const err = await t.throwsAsync(store.callDetails.insert(callDetail(tenant, "c1", overrides)));
        t.true(isCtiError(err, Errors.BAD_REQUEST), JSON.stringify(overrides));
      }
      t.is(await store.callDetails.get(tenant, "c1"), undefined);
      // The widest values that fit are stored whole.
      const widest = callDetail(tenant, "c".repeat(255), { callerName: "Ö".repeat(100), logonId: "l".repeat(100), extension: "9".repeat(32) });
      t.true(await store.callDetails.insert(widest));
      t.like(await store.callDetails.get(tenant, widest.callId), { callerName: widest.callerName, logonId: widest.logonId, extension: widest.extension });
    });
  });
}
