// A Kysely driver over an `mssql` ConnectionPool. Kysely's own MssqlDialect drives tedious + tarn directly; this
// one uses the owner's named package instead, which brings ADO.NET connection strings, the pool's health checks
// and typed parameters (cti/store/mssql-parameter-type.ts sends ASCII strings as VarChar, so varchar indexes are
// used). Outside a transaction each query takes any pooled connection; inside one, every query runs on the
// transaction's connection. So a Kysely "connection" is not a SQL Server session outside a transaction, and
// session-scoped state (SET options, #temp tables, session app locks) must not be relied on; the migration lock
// therefore holds a transaction-owned sp_getapplock on a connection of its own (MssqlPoolAdapter below).
import mssql from "mssql";
import {
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
  type DatabaseIntrospector,
  type MigrationLockOptions,
} from "kysely";
import type { Logger } from "../log.js";
import { CtiError, Errors } from "../errors.js";
import { mssqlParameterType } from "./mssql-parameter-type.js";

const ISOLATION_LEVELS: Record<NonNullable<TransactionSettings["isolationLevel"]>, number> = {
  "read uncommitted": mssql.ISOLATION_LEVEL.READ_UNCOMMITTED,
  "read committed": mssql.ISOLATION_LEVEL.READ_COMMITTED,
  "repeatable read": mssql.ISOLATION_LEVEL.REPEATABLE_READ,
  serializable: mssql.ISOLATION_LEVEL.SERIALIZABLE,
  snapshot: mssql.ISOLATION_LEVEL.SNAPSHOT,
};

class MssqlPoolConnection implements DatabaseConnection {
  readonly #pool: mssql.ConnectionPool;
  #transaction: mssql.Transaction | undefined;

  constructor(pool: mssql.ConnectionPool) {
    this.#pool = pool;
  }

  async beginTransaction(settings: TransactionSettings): Promise<void> {
    if (this.#transaction) throw new CtiError(Errors.INTERNAL, "a transaction is already open on this connection");
    if (settings.accessMode) throw new CtiError(Errors.INTERNAL, "SQL Server has no transaction access modes");
    const transaction = new mssql.Transaction(this.#pool);
    await transaction.begin(settings.isolationLevel ? ISOLATION_LEVELS[settings.isolationLevel] : undefined);
    this.#transaction = transaction;
  }

  async commitTransaction(): Promise<void> {
    const transaction = this.#requireTransaction();
    this.#transaction = undefined;
    await transaction.commit();
  }

  async rollbackTransaction(): Promise<void> {
    const transaction = this.#requireTransaction();
    this.#transaction = undefined;
    try {
      await transaction.rollback();
    } catch (err) {
      // The server already rolled back (XACT_ABORT, a severe error): nothing left to undo.
      if ((err as { code?: unknown }).code !== "EABORT") throw err;
    }
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const request = this.#transaction ? new mssql.Request(this.#transaction) : new mssql.Request(this.#pool);
    compiledQuery.parameters.forEach((value, i) => {
      const typed = mssqlParameterType(value);
      // Kysely's MssqlQueryCompiler names parameters @1, @2, ...
      request.input(String(i + 1), typed.type, typed.value);
    });
    const result = await request.query<R>(compiledQuery.sql);
    const affected = result.rowsAffected.reduce((sum, n) => sum + n, 0);
    return { rows: result.recordset ? [...result.recordset] : [], numAffectedRows: BigInt(affected) };
  }

  /** Buffers the whole result, then yields it in chunks: the data layer has no result sets worth streaming. */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  /** Called when Kysely releases the connection: a transaction left open here is a bug, so undo it. */
  async release(): Promise<void> {
    if (this.#transaction) await this.rollbackTransaction();
  }

  #requireTransaction(): mssql.Transaction {
    if (!this.#transaction) throw new CtiError(Errors.INTERNAL, "no transaction is open on this connection");
    return this.#transaction;
  }
}

/** Serialises migrations across processes: one exclusive application lock per resource. */
export interface ApplicationLocks {
  /** Waits for the lock and returns the function that releases it. */
  acquireApplicationLock(resource: string): Promise<() => Promise<void>>;
}

/**
 * The T-SQL that takes the lock. Owned by the transaction, so it is released at commit or when the connection
 * dies; sp_getapplock reports failure (deadlock victim, cancelled) by return code, not by error, hence the throw.
 */
export const APPLICATION_LOCK_SQL =
  "declare @result int; exec @result = sp_getapplock @Resource = @1, @LockMode = 'Exclusive', @LockOwner = 'Transaction'; " +
  "if @result < 0 throw 50000, 'ctibridge: application lock not granted', 1;";

export class MssqlPoolDriver implements Driver, ApplicationLocks {
  readonly #pool: mssql.ConnectionPool;
  readonly #describe: string;
  readonly #logger: Logger;

  constructor(config: mssql.config, target: string, logger: Logger) {
    this.#pool = new mssql.ConnectionPool(config);
    this.#describe = target;
    this.#logger = logger;
    this.#pool.on("error", (err: Error) => this.#logger.error({ err, target }, "SQL Server pool error"));
  }

  async init(): Promise<void> {
    try {
      await this.#pool.connect();
    } catch (err) {
      throw new CtiError(Errors.STORE_UNAVAILABLE, `cannot connect to SQL Server ${this.#describe}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new MssqlPoolConnection(this.#pool);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as MssqlPoolConnection).beginTransaction(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as MssqlPoolConnection).commitTransaction();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as MssqlPoolConnection).rollbackTransaction();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as MssqlPoolConnection).release();
  }

  async acquireApplicationLock(resource: string): Promise<() => Promise<void>> {
    const transaction = new mssql.Transaction(this.#pool);
    await transaction.begin();
    try {
      await new mssql.Request(transaction).input("1", mssql.VarChar(255), resource).query(APPLICATION_LOCK_SQL);
    } catch (err) {
      await transaction.rollback().catch(() => undefined);
      throw err;
    }
    return () => transaction.commit();
  }

  async destroy(): Promise<void> {
    await this.#pool.close();
  }
}

/**
 * Kysely's SQL Server adapter, except for the migration lock: Kysely takes a session-owned app lock on whatever
 * connection runs the next query, which with a pool is not the one that later releases it.
 */
export class MssqlPoolAdapter extends MssqlAdapter {
  readonly #locks: ApplicationLocks;
  #release: (() => Promise<void>) | undefined;

  constructor(locks: ApplicationLocks) {
    super();
    this.#locks = locks;
  }

  override async acquireMigrationLock(_db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    this.#release = await this.#locks.acquireApplicationLock(`ctibridge:${options.lockTableSchema ?? "dbo"}.${options.lockTable}`);
  }

  override async releaseMigrationLock(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }
}

/** Kysely's SQL Server compiler and introspector with MssqlPoolDriver and MssqlPoolAdapter. */
export class MssqlPoolDialect implements Dialect {
  readonly #driver: Driver & ApplicationLocks;

  constructor(driver: Driver & ApplicationLocks) {
    this.#driver = driver;
  }

  createDriver(): Driver {
    return this.#driver;
  }

  createQueryCompiler(): QueryCompiler {
    return new MssqlQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new MssqlPoolAdapter(this.#driver);
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new MssqlIntrospector(db);
  }
}
