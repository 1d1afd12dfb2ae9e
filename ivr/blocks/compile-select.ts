// Turns a parsed SELECT and the call's values into the dialect's SQL with bound parameters, through Kysely's `sql`
// template: the fragments are the template's text and the values its parameters, exactly as if the statement had
// been written as sql`SELECT … WHERE phone = ${ani}`. SQLite gets ?, SQL Server @1, @2, …
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type CompiledQuery,
  type Dialect,
} from "kysely";
import { MssqlPoolDialect } from "../../cti/store/mssql-pool-driver.js";
import type { SelectStatement } from "./select-statement.js";

export type SqlDialectName = "sqlite" | "mssql";

const sqliteCompileOnly: Dialect = {
  createAdapter: () => new SqliteAdapter(),
  createDriver: () => new DummyDriver(),
  createIntrospector: (db) => new SqliteIntrospector(db),
  createQueryCompiler: () => new SqliteQueryCompiler(),
};

/** Kysely instances that only compile (they are never connected). */
const compilers: Record<SqlDialectName, Kysely<unknown>> = {
  sqlite: new Kysely<unknown>({ dialect: sqliteCompileOnly }),
  mssql: new Kysely<unknown>({
    dialect: new MssqlPoolDialect(
      Object.assign(new DummyDriver(), {
        acquireApplicationLock: async (): Promise<() => Promise<void>> => {
          throw new Error("compile only");
        },
      }),
    ),
  }),
};

/** values[i] is bound to statement.placeholders[i]. */
export function compileSelect(statement: SelectStatement, values: readonly string[], dialect: SqlDialectName): CompiledQuery {
  if (values.length !== statement.placeholders.length) throw new Error(`${statement.placeholders.length} values expected, ${values.length} given`);
  const strings = Object.assign([...statement.fragments], { raw: [...statement.fragments] }) as TemplateStringsArray;
  return sql(strings, ...values).compile(compilers[dialect]);
}
