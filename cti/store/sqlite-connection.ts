// The embedded database: one better-sqlite3 connection in WAL mode (readers do not block the writer), with foreign
// keys enforced and a busy timeout so a CLI run beside the daemon waits instead of failing with SQLITE_BUSY.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Database } from "./database-schema.js";
import { SqliteDateParametersPlugin } from "./sqlite-date-parameters-plugin.js";
import { withStatementCache } from "./sqlite-statement-cache.js";

export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function openSqliteDatabase(file: string): Kysely<Database> {
  const inMemory = file === ":memory:";
  let sqlite: BetterSqlite3.Database;
  try {
    if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true });
    sqlite = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new CtiError(Errors.STORE_UNAVAILABLE, `cannot open SQLite file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (!inMemory) sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commits.
    sqlite.pragma("synchronous = NORMAL");
  } catch (err) {
    sqlite.close();
    throw new CtiError(Errors.STORE_UNAVAILABLE, `cannot use SQLite file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new SqliteDateParametersPlugin()],
  });
}
