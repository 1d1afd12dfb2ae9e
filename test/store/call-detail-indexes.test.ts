// The call detail report queries use their indexes: checked on SQLite with EXPLAIN QUERY PLAN on a migrated file,
// with the exact SQL the repository sends. (SQL Server's plans cannot be checked here; it gets the same indexes.)
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from "kysely";
import { silentLogger } from "../../cti/log.js";
import { callDetailQueries, type CallDetailRange } from "../../cti/store/call-detail-queries.js";
import { sqliteTimestampText } from "../../cti/store/column-values.js";
import type { Database } from "../../cti/store/database-schema.js";
import { openStore } from "../../cti/store/open-store.js";

const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const DAY: CallDetailRange = { tenantId: -1, from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-05-02T00:00:00Z"), limit: 100 };

async function planOf(range: CallDetailRange): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-cdr-plan-"));
  try {
    const file = join(dir, "ctibridge.sqlite");
    await (await openStore({ kind: "sqlite", file }, silentLogger())).close();
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      const { sql, parameters } = callDetailQueries.selectRange(compiler, "sqlite", range).compile();
      const bound = parameters.map((p) => (p instanceof Date ? sqliteTimestampText(p) : p));
      const rows = raw.prepare(`explain query plan ${sql}`).all(...bound) as { detail: string }[];
      return rows.map((r) => r.detail).join(" | ");
    } finally {
      raw.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the calls of a group in a time range are found through the group index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, serviceGroup: "sales" });
  t.notRegex(plan, /TEMP B-TREE/, "no sort step: the index (and its rowid) gives arrival order");
  t.regex(plan, /SEARCH call_detail USING INDEX call_detail_group_arrived_ix \(tenant_id=\? AND service_group=\? AND arrived_at>\? AND arrived_at<\?\)/);
});

test("the calls of an agent in a time range are found through the agent index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, logonId: "1001" });
  t.notRegex(plan, /TEMP B-TREE/);
  t.regex(plan, /SEARCH call_detail USING INDEX call_detail_agent_arrived_ix \(tenant_id=\? AND logon_id=\? AND arrived_at>\? AND arrived_at<\?\)/);
});

test("all of a tenant's calls in a time range are found through the arrival index", async (t) => {
  t.regex(await planOf(DAY), /SEARCH call_detail USING INDEX call_detail_arrived_ix \(tenant_id=\? AND arrived_at>\? AND arrived_at<\?\)/);
});
