// The query block's SQL Server path against a real server, when one is given (as the store's SQL Server suite):
//   MSSQL_URL='mssql://sa:Password1!@127.0.0.1:1433/ctibridge_test?trustServerCertificate=true' npx ava dist/test/ivr/query-block.mssql.test.js
// Without MSSQL_URL the compiled T-SQL is still checked by the snapshot in select-statement.test.ts.
import test from "ava";
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { silentLogger } from "../../cti/log.js";
import { DataSources } from "../../ivr/blocks/data-sources.js";
import { dataSourceSchema } from "../../ivr/blocks/data-source-config.js";
import { parseSelectStatement } from "../../ivr/blocks/select-statement.js";

const url = process.env.MSSQL_URL;

// Without a server: the driver's own failures, against real sockets on 127.0.0.1.
test("SQL Server that refuses the connection: the query rejects, and the password is not in the message", async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const sources = new DataSources(
    [dataSourceSchema.parse({ name: "erp", kind: "mssql", url: `Server=127.0.0.1,${port};Database=erp;User Id=ivr;Password=Pa55-never-shown;Encrypt=false`, timeout: "3s" })],
    { dataDir: ".", logger: silentLogger() },
  );
  t.teardown(() => sources.close());
  const error = await t.throwsAsync(sources.select("erp", parseSelectStatement("SELECT 1 AS one"), []));
  t.regex(error!.message, new RegExp(`cannot connect to SQL Server 127\\.0\\.0\\.1:${port}/erp`));
  t.false(error!.message.includes("Pa55-never-shown"));
});

test("SQL Server that never answers: the block's timeout ends the wait", async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const port = (silent.address() as AddressInfo).port;
  const sources = new DataSources(
    [dataSourceSchema.parse({ name: "erp", kind: "mssql", url: `Server=127.0.0.1,${port};Database=erp;User Id=ivr;Password=x;Encrypt=false`, timeout: "1s" })],
    { dataDir: ".", logger: silentLogger() },
  );
  t.teardown(() => sources.close().catch(() => undefined));
  const started = Date.now();
  await t.throwsAsync(sources.select("erp", parseSelectStatement("SELECT 1 AS one"), [], 300), { name: "QueryTimeoutError" });
  const elapsed = Date.now() - started;
  t.true(elapsed >= 290 && elapsed < 900, `took ${elapsed} ms`);
  // The data source's own timeout bounds the connection attempt: the pool gives up, and closes promptly.
  const closing = Date.now();
  await sources.close();
  t.true(Date.now() - closing < 2500, `close took ${Date.now() - closing} ms`);
});

if (!url) {
  test.skip("SQL Server data source tests skipped: set MSSQL_URL to a SQL Server database to run them", () => {});
} else {
  const open = (t: { teardown(fn: () => Promise<void>): void }, timeout = "5s") => {
    const sources = new DataSources([dataSourceSchema.parse({ name: "erp", kind: "mssql", url, timeout })], { dataDir: ".", logger: silentLogger() });
    t.teardown(() => sources.close());
    return sources;
  };

  test.serial("values are bound as parameters; the first row and the row count come back", async (t) => {
    const sources = open(t);
    const statement = parseSelectStatement("SELECT :a AS echo, %ANI% AS ani, 'it''s' AS literal UNION ALL SELECT 'b', 'c', 'd'");
    const result = await sources.select("erp", statement, ["' OR 1=1 --", "+46701234567"]);
    t.deepEqual(result.firstRow, { echo: "' OR 1=1 --", ani: "+46701234567", literal: "it's" });
    t.is(result.rowCount, 2);
  });

  test.serial("a query that outlives the block's timeout is a QueryTimeoutError", async (t) => {
    const sources = open(t);
    // Forged past the load-time check (WAITFOR is refused there) to get a slow batch.
    const slow = { text: "slow", fragments: ["SELECT 1 AS one WAITFOR DELAY '00:00:03'"], placeholders: [] };
    const started = Date.now();
    await t.throwsAsync(sources.select("erp", slow, [], 500), { name: "QueryTimeoutError" });
    t.true(Date.now() - started < 2000);
  });

  test.serial("an error from the server rejects with its message", async (t) => {
    const sources = open(t);
    await t.throwsAsync(sources.select("erp", parseSelectStatement("SELECT x FROM no_such_table_ctibridge"), []), { message: /Invalid object name/ });
  });
}
