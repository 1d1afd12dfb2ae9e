// The configured data sources, by name, as scripts use them: one SELECT at a time, with a timeout, answering the
// first row and the number of rows. Connections open on first use (a database that is down at start-up does not
// stop the bridge; the scripts take their error branches) and close with the daemon.
import { resolve } from "node:path";
import type { Logger } from "../../cti/log.js";
import { compileSelect, type SqlDialectName } from "./compile-select.js";
import type { DataSourceConfig } from "./data-source-config.js";
import { MssqlDataSource } from "./mssql-data-source.js";
import { parseSelectStatement, type SelectStatement } from "./select-statement.js";
import { SqliteDataSource } from "./sqlite-data-source.js";

export interface SelectResult {
  /** Column name → value as the driver gives it (converted to text by the block). */
  readonly firstRow: Readonly<Record<string, unknown>> | undefined;
  readonly rowCount: number;
}

/** One database: runs compiled SELECTs. close() is idempotent. */
export interface DataSource {
  readonly dialect: SqlDialectName;
  select(sql: string, parameters: readonly unknown[], timeoutMs: number): Promise<SelectResult>;
  close(): Promise<void>;
}

/** The query block's view of the data sources. */
export interface QueryRunner {
  /** Rejects with QueryTimeoutError after timeoutMs (default: the data source's timeout), or the driver's error. */
  select(source: string, statement: SelectStatement, values: readonly string[], timeoutMs?: number): Promise<SelectResult>;
}

export class QueryTimeoutError extends Error {
  constructor(source: string, timeoutMs: number) {
    super(`no answer from data source ${source} within ${timeoutMs} ms`);
    this.name = "QueryTimeoutError";
  }
}

export class UnknownDataSourceError extends Error {}

export interface DataSourcesOptions {
  /** Where relative SQLite files are found (the daemon's --data directory). */
  dataDir: string;
  logger: Logger;
}

export class DataSources implements QueryRunner {
  readonly #configs: ReadonlyMap<string, DataSourceConfig>;
  readonly #open = new Map<string, DataSource>();
  readonly #options: DataSourcesOptions;
  #closed = false;

  constructor(configs: readonly DataSourceConfig[], options: DataSourcesOptions) {
    this.#configs = new Map(configs.map((c) => [c.name, c]));
    this.#options = options;
  }

  get names(): ReadonlySet<string> {
    return new Set(this.#configs.keys());
  }

  async select(source: string, statement: SelectStatement, values: readonly string[], timeoutMs?: number): Promise<SelectResult> {
    const config = this.#configs.get(source);
    if (!config) throw new UnknownDataSourceError(`no data source named ${source}`);
    if (this.#closed) throw new Error("the data sources are closed");
    const dataSource = this.#connection(config);
    const compiled = compileSelect(statement, values, dataSource.dialect);
    return dataSource.select(compiled.sql, compiled.parameters, timeoutMs ?? config.timeout);
  }

  /**
   * Runs SELECT 1 on every data source, so the first caller does not wait for a connection and a wrong file or
   * server shows in the log at start-up. Never throws: a data source that does not answer is logged and stays
   * configured (its scripts take their error branches until it answers).
   */
  async check(): Promise<{ name: string; ok: boolean; error?: string }[]> {
    const probe = parseSelectStatement("SELECT 1 AS alive");
    return Promise.all(
      [...this.#configs.values()].map(async (config) => {
        const logger = this.#options.logger.child({ dataSource: config.name, kind: config.kind });
        try {
          await this.select(config.name, probe, []);
          logger.info("data source ready");
          return { name: config.name, ok: true };
        } catch (e) {
          const error = (e as Error).message;
          logger.warn({ err: error }, "data source does not answer: queries on it take their error branches");
          return { name: config.name, ok: false, error };
        }
      }),
    );
  }

  /** Closes every open connection; queries after this reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(open.map((d) => d.close()));
  }

  #connection(config: DataSourceConfig): DataSource {
    let dataSource = this.#open.get(config.name);
    if (!dataSource) {
      const logger = this.#options.logger.child({ dataSource: config.name });
      dataSource =
        config.kind === "sqlite"
          ? new SqliteDataSource({ name: config.name, file: resolve(this.#options.dataDir, config.file!), connections: config.connections, logger })
          : new MssqlDataSource({ name: config.name, url: config.url!, timeoutMs: config.timeout, connections: config.connections, logger });
      this.#open.set(config.name, dataSource);
    }
    return dataSource;
  }
}
