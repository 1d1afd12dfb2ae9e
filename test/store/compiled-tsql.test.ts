// Snapshots of the T-SQL the data layer sends to SQL Server, compiled without a server (none can run on the
// build machines). A change to any repository query or migration shows up here for review. Also checks the
// catches: no LIMIT, no ON CONFLICT, no RETURNING in anything sent to SQL Server.
import test from "ava";
import { DummyDriver, Kysely, Migrator, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from "kysely";
import { agentCallDetailQueries, type AgentCallDetailValues } from "../../cti/store/agent-call-detail-queries.js";
import { callDetailQueries, type CallDetailValues } from "../../cti/store/call-detail-queries.js";
import type { CallManagerConfig } from "../../cti/config/schema.js";
import type { Database } from "../../cti/store/database-schema.js";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from "../../cti/store/migrations/index.js";
import { MssqlPoolDialect } from "../../cti/store/mssql-pool-driver.js";
import { phoneAgentLogonQueries } from "../../cti/store/phone-agent-logon-queries.js";
import { siteServerParamQueries } from "../../cti/store/site-server-param-queries.js";
import { userQueries } from "../../cti/store/user-queries.js";
import { RecordingMssqlDriver } from "./recording-mssql-driver.js";

function recordingMssql(): { db: Kysely<Database>; driver: RecordingMssqlDriver } {
  const driver = new RecordingMssqlDriver();
  return { db: new Kysely<Database>({ dialect: new MssqlPoolDialect(driver) }), driver };
}

const NOW = new Date("2024-05-01T12:00:00.000Z");
const CM: CallManagerConfig = {
  id: "mx1",
  name: "MX-ONE 1",
  site: "hq",
  type: "TAS",
  host: "192.0.2.10",
  port: 5060,
  transport: "udp",
  keepalive: { interval: 5000, timeout: 2000 },
};
const LOGON = { agentId: 7, tenantId: -1, callManagerId: 3, phoneNum: "2001", readyStatus: true, priorityLogon: false };

const CALL_DETAIL: CallDetailValues = {
  tenantId: -1,
  callId: "a84b4c76e66710@pc33.example.com",
  visit: 1,
  serviceAccess: "sales-access",
  serviceGroup: "sales",
  dialedNumber: "3000",
  callerNumber: "0701234567",
  callerName: "Åsa Öberg",
  arrivedAt: new Date("2024-05-01T11:59:00.000Z"),
  answeredAt: NOW,
  endedAt: new Date("2024-05-01T12:01:00.000Z"),
  outcome: "answered",
  logonId: "1001",
  extension: "2001",
  waitMs: 60_000,
  alertingMs: 4_000,
  talkMs: 60_000,
  clericalMs: null,
  offers: 2,
  releasedBy: "agent",
};
const AGENT_CALL_DETAIL: AgentCallDetailValues = {
  tenantId: -1,
  callId: "b95c5d87f77821@ctibridge.example.com",
  logonId: "1001",
  extension: "2001",
  callManagerId: "mx1",
  destination: "0701234567",
  dialed: "8110701234567",
  callerId: { name: "Sales", callerId: "811" },
  serviceGroup: "sales",
  initiatedAt: new Date("2024-05-01T11:59:52.000Z"),
  answeredAt: NOW,
  endedAt: new Date("2024-05-01T12:01:00.000Z"),
  outcome: "answered",
  stage: "connected",
  releasedBy: "destination",
  sipStatus: null,
  setupMs: 8_000,
  talkMs: 60_000,
};
const DAY = { tenantId: -1, from: new Date("2024-05-01T00:00:00.000Z"), to: new Date("2024-05-02T00:00:00.000Z"), limit: 500 };

/** Arguments after `db` for each query; the mapped type makes a new query without a sample a compile error. */
type SampleArgs<Q extends Record<string, (db: Kysely<Database>, ...args: any[]) => Compilable>> = {
  [K in keyof Q]: Q[K] extends (db: Kysely<Database>, ...args: infer A) => Compilable ? A : never;
};

const userSamples: SampleArgs<typeof userQueries> = {
  selectByLogonId: [-1, "1001"],
  selectById: [42],
  selectByPersonalNumber: [-1, "4711"],
  selectByTenant: [-1],
  insert: [{ tenantId: -1, logonId: "1001", pinHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==", firstName: "Åsa", lastName: "Berg", personalDn: "2001", restoreOption: 3 }, NOW],
  updatePin: [-1, "1001", "scrypt$16384$8$1$c2FsdA==$aGFzaA==", NOW],
  updateProfile: [-1, "1001", { firstName: "Åsa", lastName: null, personalDn: "2002", restoreOption: 1 }, NOW],
  lock: [-1, "1001", NOW],
  unlock: [-1, "1001", NOW],
  delete: [-1, "1001"],
  countFailure: [42, 5, NOW],
  resetFailures: [42],
};

const phoneAgentLogonSamples: SampleArgs<typeof phoneAgentLogonQueries> = {
  update: [LOGON, NOW],
  insert: [LOGON, NOW],
  delete: [7],
  selectAll: [],
};

const siteServerParamSamples: SampleArgs<typeof siteServerParamQueries> = {
  updateByConfigId: [-1, CM],
  insert: [-1, CM],
  selectIdsByConfigIds: [["mx1", "mx2"]],
  selectAll: [],
};

const callDetailSamples: SampleArgs<typeof callDetailQueries> = {
  insert: [CALL_DETAIL],
  selectByCallId: [-1, CALL_DETAIL.callId],
  updateClerical: [-1, CALL_DETAIL.callId, 15_000],
  selectRange: ["mssql", { ...DAY, serviceGroup: "sales" }],
};

const agentCallDetailSamples: SampleArgs<typeof agentCallDetailQueries> = {
  insert: [AGENT_CALL_DETAIL],
  selectByCallId: [-1, AGENT_CALL_DETAIL.callId],
  selectRange: ["mssql", { ...DAY, logonId: "1001" }],
};

const catalogs = [
  ["cc_user", userQueries, userSamples],
  ["phone_agent_logon", phoneAgentLogonQueries, phoneAgentLogonSamples],
  ["site_server_param", siteServerParamQueries, siteServerParamSamples],
  ["call_detail", callDetailQueries, callDetailSamples],
  ["agent_call_detail", agentCallDetailQueries, agentCallDetailSamples],
] as const;

function assertTsqlCatches(t: import("ava").ExecutionContext, sqlText: string): void {
  t.notRegex(sqlText, /\blimit\b/i, "T-SQL has no LIMIT");
  t.notRegex(sqlText, /\bon conflict\b/i, "T-SQL has no ON CONFLICT");
  t.notRegex(sqlText, /\breturning\b/i, "T-SQL has no RETURNING");
  t.notRegex(sqlText, /\?/, "parameters are @n on SQL Server");
}

for (const [table, queries, samples] of catalogs) {
  for (const name of Object.keys(queries).sort()) {
    test(`the ${table} query ${name} compiles to the snapshotted T-SQL`, (t) => {
      const { db } = recordingMssql();
      const query = (queries as Record<string, (db: Kysely<Database>, ...args: unknown[]) => Compilable>)[name]!;
      const args = (samples as Record<string, unknown[]>)[name]!;
      const compiled = query(db, ...args).compile();
      assertTsqlCatches(t, compiled.sql);
      t.snapshot({ sql: compiled.sql, parameters: compiled.parameters });
    });
  }
}

test("every string parameter in the user lookup is a plain value, so the driver can type it as VarChar", (t) => {
  const { db } = recordingMssql();
  const compiled = userQueries.selectByLogonId(db, -1, "1001").compile();
  t.deepEqual(compiled.parameters, [-1, "1001"]);
  t.regex(compiled.sql, /"tenant_id" = @1 and "logon_id" = @2/);
});

test("the call detail range query cuts the result with OFFSET/FETCH on SQL Server and LIMIT on SQLite, by bound parameters", (t) => {
  const { db } = recordingMssql();
  const byAgent = callDetailQueries.selectRange(db, "mssql", { ...DAY, logonId: "1001" }).compile();
  assertTsqlCatches(t, byAgent.sql);
  t.regex(byAgent.sql, /where "tenant_id" = @1 and "logon_id" = @2 and "arrived_at" >= @3 and "arrived_at" < @4 order by "arrived_at" asc, "id" asc offset @5 rows fetch next @6 rows only$/);
  t.deepEqual(byAgent.parameters, [-1, "1001", DAY.from, DAY.to, 0, 500]);
  t.snapshot({ sql: byAgent.sql, parameters: byAgent.parameters }, "call_detail selectRange by agent on SQL Server");

  // Kysely's compile-only SQLite setup: the real SQLite compiler, a driver that runs nothing.
  const sqlite = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const compiled = callDetailQueries.selectRange(sqlite, "sqlite", { ...DAY, serviceGroup: "sales", logonId: "1001" }).compile();
  t.regex(compiled.sql, /where "tenant_id" = \? and "service_group" = \? and "logon_id" = \? and "arrived_at" >= \? and "arrived_at" < \? order by "arrived_at" asc, "id" asc limit \?$/);
  t.deepEqual(compiled.parameters, [-1, "sales", "1001", DAY.from, DAY.to, 500]);
});

test("the first start on SQL Server sends the snapshotted migrator and schema T-SQL", async (t) => {
  const { db, driver } = recordingMssql();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor("mssql") },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  t.is(error, undefined);
  t.deepEqual(
    results?.map((r) => [r.migrationName, r.status]),
    [
      ["001-directory-and-phone-agent-logon", "Success"],
      ["002-call-detail", "Success"],
      ["003-object-tags", "Success"],
      ["004-personal-call-routing", "Success"],
      ["005-agent-call-detail", "Success"],
    ],
  );
  const statements = driver.queries.map((q) => q.sql);
  for (const s of statements) assertTsqlCatches(t, s);
  t.true(statements.some((s) => s.includes("sp_getapplock")), "the migration is serialised with an application lock");
  t.false(statements.some((s) => s.includes("@LockOwner = 'Session'")), "no session lock: pooled queries may run on any connection");
  t.true(statements.some((s) => /"id" integer identity primary key/.test(s)), "keys are IDENTITY columns");
  t.true(statements.some((s) => s.includes("datetime2(3)") && s.includes("sysutcdatetime()")));
  // The migrator stamps each applied migration with the current time; keep the snapshot stable.
  const stable = driver.queries.map((q) => ({
    sql: q.sql,
    parameters: q.parameters.map((p) => (typeof p === "string" && /^\d{4}-\d{2}-\d{2}T/.test(p) ? "<now>" : p)),
  }));
  t.snapshot(stable, "migrator and every migration on SQL Server");
});

test("each migration's down() compiles to the snapshotted T-SQL", async (t) => {
  const { db, driver } = recordingMssql();
  for (const [name, migration] of Object.entries(migrationsFor("mssql"))) {
    await migration.down?.(db);
    t.snapshot(driver.queries.splice(0), `${name} down`);
  }
});
