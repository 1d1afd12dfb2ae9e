// One read-only SQLite connection in a child process of its own. better-sqlite3 is synchronous: on the main thread
// a slow query would stall every call's RTP pacing; in a worker thread a query stuck in SQLite's C code could not
// be stopped (a thread is only terminated when it returns to JavaScript). A process can always be killed, so the
// parent keeps the timer and kills this reader when a query outlives it.
import BetterSqlite3 from "better-sqlite3";

export interface SqliteQueryRequest {
  id: number;
  sql: string;
  parameters: unknown[];
}

export type SqliteQueryReply =
  | { id: number; firstRow: Record<string, unknown> | undefined; rowCount: number }
  | { id: number; error: string };

const file = process.argv[2]!;
let db: BetterSqlite3.Database | undefined;

function run(request: SqliteQueryRequest): SqliteQueryReply {
  if (!db) {
    // readonly: the connection itself cannot write, whatever the statement says.
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    db.defaultSafeIntegers(true);
  }
  const statement = db.prepare(request.sql);
  if (!statement.reader) throw new Error("the statement returns no rows");
  let firstRow: Record<string, unknown> | undefined;
  let rowCount = 0;
  for (const row of statement.iterate(...request.parameters)) {
    if (rowCount === 0) firstRow = row as Record<string, unknown>;
    rowCount++;
  }
  return { id: request.id, firstRow, rowCount };
}

process.on("message", (request: SqliteQueryRequest) => {
  let reply: SqliteQueryReply;
  try {
    reply = run(request);
  } catch (e) {
    reply = { id: request.id, error: (e as Error).message };
  }
  process.send!(reply);
});
// The parent went away (or closed the data source): nothing left to answer.
process.on("disconnect", () => process.exit(0));
