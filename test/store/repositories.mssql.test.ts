// The repository suite against a real SQL Server, when one is given:
//   MSSQL_URL='mssql://sa:Password1!@127.0.0.1:1433/ctibridge_test?trustServerCertificate=true' npx ava dist/test/store/
// (or an ADO.NET string: 'Server=127.0.0.1,1433;Database=ctibridge_test;User Id=sa;Password=...;TrustServerCertificate=true').
// The database must exist; the suite creates the tables on first run and each test cleans up its own tenant.
import test from "ava";
import mssql from "mssql";
import { silentLogger } from "../../cti/log.js";
import { mssqlConnectionConfig } from "../../cti/store/mssql-connection-config.js";
import { openStore } from "../../cti/store/open-store.js";
import { defineRepositorySuite } from "./repository-suite.js";

const url = process.env.MSSQL_URL;

if (!url) {
  test.skip("SQL Server repository suite skipped: set MSSQL_URL to a SQL Server database to run it", () => {});
} else {
  defineRepositorySuite(test.serial, "SQL Server", {
    async open() {
      const store = await openStore({ kind: "mssql", url }, silentLogger());
      const raw = await new mssql.ConnectionPool(mssqlConnectionConfig(url)).connect();
      return {
        store,
        async rawSql(statement) {
          const result = await raw.request().query(statement);
          return result.recordset ? [...result.recordset] : [];
        },
        async close() {
          await raw.close();
          await store.close();
        },
      };
    },
  });
}
