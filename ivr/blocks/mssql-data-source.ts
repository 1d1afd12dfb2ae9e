// A SQL Server data source through the store's driver (cti/store/mssql-pool-driver.ts: an `mssql` pool under
// Kysely, ASCII strings sent as VarChar so indexes are used). The data source's timeout is the pool's connect and
// request timeout, so a server that does not answer is given up and a query that runs too long is stopped by the
// server; a shorter block timeout stops the script waiting sooner.
import { CompiledQuery, Kysely } from "kysely";
import type { Logger } from "../../cti/log.js";
import { describeMssqlTarget, mssqlConnectionConfig } from "../../cti/store/mssql-connection-config.js";
import { MssqlPoolDialect, MssqlPoolDriver } from "../../cti/store/mssql-pool-driver.js";
import { QueryTimeoutError, type DataSource, type SelectResult } from "./data-sources.js";

/** The daemon's stop must not hang on a database server that does not answer. */
const CLOSE_WAIT_MS = 2000;

export interface MssqlDataSourceOptions {
  name: string;
  /** Connection string (may carry a password: never logged). */
  url: string;
  timeoutMs: number;
  connections: number;
  logger: Logger;
}

export class MssqlDataSource implements DataSource {
  readonly dialect = "mssql" as const;
  readonly #name: string;
  readonly #db: Kysely<unknown>;
  #closing: Promise<void> | undefined;

  constructor(options: MssqlDataSourceOptions) {
    const parsed = mssqlConnectionConfig(options.url);
    const config = {
      ...parsed,
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
      pool: { ...parsed.pool, max: options.connections },
    };
    const target = describeMssqlTarget(config);
    this.#name = options.name;
    this.#db = new Kysely<unknown>({ dialect: new MssqlPoolDialect(new MssqlPoolDriver(config, target, options.logger)) });
  }

  async select(sql: string, parameters: readonly unknown[], timeoutMs: number): Promise<SelectResult> {
    if (this.#closing) throw new Error(`data source ${this.#name} is closed`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueryTimeoutError(this.#name, timeoutMs)), timeoutMs);
    });
    try {
      const result = await Promise.race([this.#db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, [...parameters])), timeout]);
      return { firstRow: result.rows[0], rowCount: result.rows.length };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the pool; a connection attempt still under way is not waited for beyond CLOSE_WAIT_MS. */
  close(): Promise<void> {
    this.#closing ??= Promise.race([
      this.#db.destroy().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref()),
    ]);
    return this.#closing;
  }
}
