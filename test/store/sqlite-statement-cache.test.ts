import test from "ava";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { withStatementCache } from "../../cti/store/sqlite-statement-cache.js";

function countingDatabase(): { db: BetterSqlite3.Database; prepared: string[] } {
  const db = new BetterSqlite3(":memory:");
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as typeof db.prepare;
  return { db, prepared };
}

test("the same SQL is prepared once and reused; results stay right", async (t) => {
  const { db, prepared } = countingDatabase();
  const k = new Kysely<{ row: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
  t.teardown(() => k.destroy());
  await sql`create table row (id integer primary key, name text not null)`.execute(k);
  for (let i = 1; i <= 5; i++) await k.insertInto("row").values({ id: i, name: `n${i}` }).execute();
  const names = [];
  for (let i = 1; i <= 5; i++) names.push((await k.selectFrom("row").select("name").where("id", "=", i).executeTakeFirstOrThrow()).name);
  t.deepEqual(names, ["n1", "n2", "n3", "n4", "n5"]);
  t.is(prepared.filter((s) => s.startsWith("insert")).length, 1);
  t.is(prepared.filter((s) => s.startsWith("select")).length, 1);
});

test("beyond its size the oldest statement is dropped and prepared again when used", async (t) => {
  const { db, prepared } = countingDatabase();
  const cached = withStatementCache(db, 2);
  t.teardown(() => cached.close());
  cached.prepare("select 1");
  cached.prepare("select 2");
  cached.prepare("select 3"); // drops "select 1"
  cached.prepare("select 2");
  cached.prepare("select 1");
  t.deepEqual(prepared, ["select 1", "select 2", "select 3", "select 1"]);
});
