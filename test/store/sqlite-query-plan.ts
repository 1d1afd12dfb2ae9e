// SQLite's EXPLAIN QUERY PLAN for the exact SQL a repository sends, on a freshly migrated store file: how the index
// tests check that report queries use their indexes. (SQL Server's plans cannot be checked here.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery } from "kysely";
import { silentLogger } from "../../cti/log.js";
import { sqliteTimestampText } from "../../cti/store/column-values.js";
import type { Database } from "../../cti/store/database-schema.js";
import { openStore } from "../../cti/store/open-store.js";

/** Compiles queries as the SQLite store would, without a connection. */
export const sqliteCompiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** The plan's steps joined with " | ". */
export async function sqliteQueryPlan(query: CompiledQuery): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-query-plan-"));
  try {
    const file = join(dir, "ctibridge.sqlite");
    await (await openStore({ kind: "sqlite", file }, silentLogger())).close();
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      const bound = query.parameters.map((p) => (p instanceof Date ? sqliteTimestampText(p) : p));
      const rows = raw.prepare(`explain query plan ${query.sql}`).all(...bound) as { detail: string }[];
      return rows.map((r) => r.detail).join(" | ");
    } finally {
      raw.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
