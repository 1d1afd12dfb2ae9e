// The agent call detail report queries use their indexes: checked on SQLite with EXPLAIN QUERY PLAN on a migrated
// file, with the exact SQL the repository sends. (SQL Server gets the same indexes.)
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from "kysely";
import { silentLogger } from "../../cti/log.js";
import { agentCallDetailQueries, type AgentCallDetailRange } from "../../cti/store/agent-call-detail-queries.js";
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

const DAY: AgentCallDetailRange = { tenantId: -1, from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-05-02T00:00:00Z"), limit: 100 };

async function planOf(range: AgentCallDetailRange): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-agent-cdr-plan-"));
  try {
    const file = join(dir, "ctibridge.sqlite");
    await (await openStore({ kind: "sqlite", file }, silentLogger())).close();
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      const { sql, parameters } = agentCallDetailQueries.selectRange(compiler, "sqlite", range).compile();
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

test("an agent's calls in a time range are found through the agent index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, logonId: "1001" });
  t.notRegex(plan, /TEMP B-TREE/, "no sort step: the index (and its rowid) gives initiation order");
  t.regex(plan, /SEARCH agent_call_detail USING INDEX agent_call_detail_agent_initiated_ix \(tenant_id=\? AND logon_id=\? AND initiated_at>\? AND initiated_at<\?\)/);
});

test("a service group's calls in a time range are found through the group index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, serviceGroup: "sales" });
  t.notRegex(plan, /TEMP B-TREE/);
  t.regex(plan, /SEARCH agent_call_detail USING INDEX agent_call_detail_group_initiated_ix \(tenant_id=\? AND service_group=\? AND initiated_at>\? AND initiated_at<\?\)/);
});

test("all of a tenant's agent calls in a time range are found through the initiation index", async (t) => {
  t.regex(await planOf(DAY), /SEARCH agent_call_detail USING INDEX agent_call_detail_initiated_ix \(tenant_id=\? AND initiated_at>\? AND initiated_at<\?\)/);
});
