// SQL Server pieces that need no server: URL parsing, parameter typing, and a clear error when the server is
// not there.
import test from "ava";
import { createServer } from "node:net";
import mssql from "mssql";
import { Errors, isCtiError } from "../../cti/errors.js";
import { silentLogger } from "../../cti/log.js";
import { describeMssqlTarget, mssqlConnectionConfig } from "../../cti/store/mssql-connection-config.js";
import { mssqlParameterType } from "../../cti/store/mssql-parameter-type.js";
import { openStore } from "../../cti/store/open-store.js";

test("a mssql:// URL is parsed into a connection config", (t) => {
  const config = mssqlConnectionConfig("mssql://sa:p%40ss%3Bword@db.example:14330/micc?encrypt=true&trustServerCertificate=true");
  t.like(config, { server: "db.example", port: 14330, database: "micc", user: "sa", password: "p@ss;word", options: { encrypt: true, trustServerCertificate: true } });
  t.is(describeMssqlTarget(config), "db.example:14330/micc");
});

test("an ADO.NET connection string is parsed too", (t) => {
  const config = mssqlConnectionConfig("Server=db.example\\SQLEXPRESS;Database=micc;User Id=ctibridge;Password=secret;TrustServerCertificate=true");
  t.like(config, { server: "db.example", database: "micc", user: "ctibridge", password: "secret", options: { instanceName: "SQLEXPRESS", trustServerCertificate: true } });
});

test("a bad store url is refused without repeating it", (t) => {
  for (const url of ["mssql://sa:hunter22@/micc", "mssql://sa:hunter22@db/micc?colour=blue"]) {
    const err = t.throws(() => mssqlConnectionConfig(url));
    t.true(isCtiError(err, Errors.CONFIG_INVALID));
    t.false(String(err?.message).includes("hunter22"));
  }
});

test("ASCII strings are sent as VarChar so varchar indexes are used; other text as NVarChar", (t) => {
  const typeOf = (v: unknown) => {
    const p = mssqlParameterType(v);
    const type = (typeof p.type === "function" ? (p.type as () => mssql.ISqlType)() : p.type) as mssql.ISqlType & { length?: number };
    return { type: type.type, length: type.length, value: p.value };
  };
  t.like(typeOf("1001"), { type: mssql.VarChar, length: 8000, value: "1001" });
  t.like(typeOf("Åsa"), { type: mssql.NVarChar, length: 4000 });
  t.like(typeOf("x".repeat(9000)), { type: mssql.VarChar, length: mssql.MAX });
  t.like(typeOf(42), { type: mssql.Int });
  t.like(typeOf(-1), { type: mssql.Int });
  t.like(typeOf(2 ** 40), { type: mssql.BigInt });
  t.like(typeOf(1.5), { type: mssql.Float });
  t.like(typeOf(10n), { type: mssql.BigInt, value: "10" });
  t.like(typeOf(true), { type: mssql.Bit });
  t.like(typeOf(new Date(0)), { type: mssql.DateTime2 });
  t.like(typeOf(null), { value: null });
  t.true(isCtiError(t.throws(() => mssqlParameterType({})), Errors.INTERNAL));
});

test("opening a SQL Server store that is not there fails with STORE_UNAVAILABLE and no password", async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  const err = await t.throwsAsync(openStore({ kind: "mssql", url: `mssql://sa:hunter22@127.0.0.1:${port}/micc` }, silentLogger()));
  t.true(isCtiError(err, Errors.STORE_UNAVAILABLE), String(err));
  t.true(String(err?.message).includes(`127.0.0.1:${port}/micc`));
  t.false(String(err?.message).includes("hunter22"));
});
