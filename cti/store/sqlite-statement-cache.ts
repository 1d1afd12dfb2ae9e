// Kysely's SQLite driver prepares every query anew; the daemon runs the same few statements (CDR inserts, agent
// state rows) for every call, so preparing each once and reusing it saves a compile per query on the main thread.
// better-sqlite3 runs statements synchronously and Kysely never streams from ours, so a statement is never busy
// when it is handed out again; SQLite re-prepares it by itself after a schema change.
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Distinct SQL texts kept; the oldest is dropped beyond this (queries with IN lists of varying length vary). */
export const STATEMENT_CACHE_SIZE = 256;

export function withStatementCache(db: BetterSqlite3.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      db.close();
    },
    prepare: (sql: string): SqliteStatement => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        if (statements.size >= size) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}
