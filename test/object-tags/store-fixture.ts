// A fresh SQLite store per test, with an ObjectTagDirectory over a small configuration and raw SQL access to check
// what is in the manual's tables.
import type { ExecutionContext } from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { silentLogger } from "../../cti/log.js";
import { openStore, type Store } from "../../cti/store/open-store.js";
import { ObjectTagDirectory, type TaggableConfig } from "../../cti/object-tags/object-tag-directory.js";

export const TENANT = -1;

export const TAGGABLE: TaggableConfig = {
  tenantId: TENANT,
  serviceGroups: [{ id: "Sales", name: "Sales" }, { id: "Support" }],
  serviceAccesses: [{ id: "sales-line", name: "Sales line" }],
  promptExists: (name) => name === "queue-welcome" || name === "goodbye",
};

export interface TagStoreFixture {
  store: Store;
  tags: ObjectTagDirectory;
  file: string;
  sql(statement: string, ...params: unknown[]): Record<string, unknown>[];
}

export async function openTagStore(t: ExecutionContext, config: TaggableConfig = TAGGABLE): Promise<TagStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-tags-"));
  const file = join(dir, "ctibridge.sqlite");
  const store = await openStore({ kind: "sqlite", file }, silentLogger());
  const raw = new BetterSqlite3(file, { timeout: 5000 });
  t.teardown(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    store,
    file,
    tags: new ObjectTagDirectory(store.objectTags, store.users, config),
    sql(statement, ...params) {
      const stmt = raw.prepare(statement);
      if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
      stmt.run(...params);
      return [];
    },
  };
}
