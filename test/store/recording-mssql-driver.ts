// A Kysely driver that talks to no server: it records the T-SQL it is given and answers with no rows. With
// MssqlPoolDialect it lets tests see exactly what SQL Server would receive (compiler, migrations, migrator).
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from "kysely";
import { APPLICATION_LOCK_SQL, type ApplicationLocks } from "../../cti/store/mssql-pool-driver.js";

export interface RecordedQuery {
  sql: string;
  parameters: readonly unknown[];
}

export class RecordingMssqlDriver implements Driver, ApplicationLocks {
  readonly queries: RecordedQuery[] = [];

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const queries = this.queries;
    return {
      async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
        queries.push({ sql: compiledQuery.sql, parameters: compiledQuery.parameters });
        return { rows: [], numAffectedRows: 0n };
      },
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        yield { rows: [] };
      },
    };
  }

  async beginTransaction(): Promise<void> {
    this.queries.push({ sql: "-- begin transaction (mssql.Transaction.begin)", parameters: [] });
  }

  async commitTransaction(): Promise<void> {
    this.queries.push({ sql: "-- commit (mssql.Transaction.commit)", parameters: [] });
  }

  async rollbackTransaction(): Promise<void> {
    this.queries.push({ sql: "-- rollback (mssql.Transaction.rollback)", parameters: [] });
  }

  async releaseConnection(): Promise<void> {}

  async acquireApplicationLock(resource: string): Promise<() => Promise<void>> {
    this.queries.push({ sql: "-- begin transaction on a connection of its own (lock)", parameters: [] });
    this.queries.push({ sql: APPLICATION_LOCK_SQL, parameters: [resource] });
    return async () => {
      this.queries.push({ sql: "-- commit (lock released)", parameters: [] });
    };
  }

  async destroy(): Promise<void> {}
}
