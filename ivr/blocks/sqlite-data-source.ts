// A SQLite data source: up to `connections` reader processes, each with one read-only connection (see
// sqlite-reader-process.ts for why a process). A query goes to the least busy reader, started on first need. A
// query that outlives its timeout is stopped by killing its reader; queries queued behind it on that reader fail
// too, and the next query starts a fresh one.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../cti/log.js";
import { QueryTimeoutError, type DataSource, type SelectResult } from "./data-sources.js";
import type { SqliteQueryReply, SqliteQueryRequest } from "./sqlite-reader-process.js";

const READER_FILE = fileURLToPath(new URL("./sqlite-reader-process.js", import.meta.url));

interface Pending {
  resolve(result: SelectResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Reader {
  process: ChildProcess;
  pending: Map<number, Pending>;
}

export interface SqliteDataSourceOptions {
  name: string;
  /** Absolute path of the database file. */
  file: string;
  connections: number;
  logger: Logger;
}

export class SqliteDataSource implements DataSource {
  readonly dialect = "sqlite" as const;
  readonly #options: SqliteDataSourceOptions;
  readonly #readers = new Set<Reader>();
  #nextId = 1;
  #closed = false;

  constructor(options: SqliteDataSourceOptions) {
    this.#options = options;
  }

  /** Reader processes running now (for tests and health). */
  get readers(): number {
    return this.#readers.size;
  }

  select(sql: string, parameters: readonly unknown[], timeoutMs: number): Promise<SelectResult> {
    if (this.#closed) return Promise.reject(new Error(`data source ${this.#options.name} is closed`));
    const reader = this.#reader();
    const id = this.#nextId++;
    return new Promise<SelectResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#options.logger.warn({ timeoutMs, pid: reader.process.pid }, "SQLite query timed out: its reader is stopped");
        this.#discard(reader, "a query on the same connection timed out", id);
        reject(new QueryTimeoutError(this.#options.name, timeoutMs));
      }, timeoutMs);
      reader.pending.set(id, { resolve, reject, timer });
      reader.process.send({ id, sql, parameters: [...parameters] } satisfies SqliteQueryRequest);
    });
  }

  /** Stops every reader; queries after this reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const exits = [...this.#readers].map((reader) => {
      const exited = reader.process.exitCode !== null || reader.process.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => reader.process.once("exit", () => resolve()));
      this.#discard(reader, `data source ${this.#options.name} closed`);
      return exited;
    });
    await Promise.all(exits);
  }

  /** The least busy reader, or a new one while fewer than `connections` run. */
  #reader(): Reader {
    let best: Reader | undefined;
    for (const r of this.#readers) if (!best || r.pending.size < best.pending.size) best = r;
    if (best && (best.pending.size === 0 || this.#readers.size >= this.#options.connections)) return best;
    const child = fork(READER_FILE, [this.#options.file], {
      serialization: "advanced", // bigint and binary columns survive the trip
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      execArgv: [],
    });
    const reader: Reader = { process: child, pending: new Map() };
    child.on("message", (reply: SqliteQueryReply) => {
      const pending = reader.pending.get(reply.id);
      if (!pending) return;
      reader.pending.delete(reply.id);
      clearTimeout(pending.timer);
      if ("error" in reply) pending.reject(new Error(reply.error));
      else pending.resolve({ firstRow: reply.firstRow, rowCount: reply.rowCount });
    });
    child.on("error", (err) => {
      this.#options.logger.error({ err: err.message }, "SQLite reader process failed");
      this.#discard(reader, `SQLite reader process failed: ${err.message}`);
    });
    child.on("exit", (code, signal) => this.#discard(reader, `SQLite reader process ended (${signal ?? code})`));
    // The daemon closes its data sources on stop; an idle reader must not keep a test or a CLI run alive.
    child.unref();
    child.channel?.unref();
    this.#readers.add(reader);
    return reader;
  }

  /** Kills a reader and fails what it still had to do (except `except`, which its caller settles). */
  #discard(reader: Reader, reason: string, except?: number): void {
    if (!this.#readers.delete(reader)) return;
    for (const [id, pending] of reader.pending) {
      clearTimeout(pending.timer);
      if (id !== except) pending.reject(new Error(reason));
    }
    reader.pending.clear();
    if (reader.process.exitCode === null && reader.process.signalCode === null) {
      // Referenced again so that whoever waits for the exit (close()) is not left behind by an idle event loop.
      reader.process.ref();
      reader.process.kill("SIGKILL");
    }
  }
}
