// The repository suite against the embedded database: a fresh SQLite file per test.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { silentLogger } from "../../cti/log.js";
import { openStore } from "../../cti/store/open-store.js";
import { defineRepositorySuite } from "./repository-suite.js";

defineRepositorySuite(test, "SQLite", {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "ctibridge-store-"));
    const file = join(dir, "ctibridge.sqlite");
    const store = await openStore({ kind: "sqlite", file }, silentLogger());
    const raw = new BetterSqlite3(file, { timeout: 5000 });
    return {
      store,
      async rawSql(statement) {
        const stmt = raw.prepare(statement);
        if (stmt.reader) return stmt.all() as Record<string, unknown>[];
        stmt.run();
        return [];
      },
      async close() {
        raw.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
