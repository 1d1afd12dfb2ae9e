// The rig the call detail recorder tests share: a fresh SQLite store file, the real event bus, the recorder's log
// lines captured and parsed, and a clock moved by hand so every duration is exact.
import type { ExecutionContext } from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import BetterSqlite3 from "better-sqlite3";
import { EventBus } from "../../cti/events/event-bus.js";
import { createLogger, type Logger } from "../../cti/log.js";
import { openStore, type Store } from "../../cti/store/open-store.js";

export const TENANT = -1;
/** The recorder's clock at the start of every test. */
export const START = Date.parse("2024-05-01T08:00:00.000Z");
/** The time `ms` after START. */
export const at = (ms: number): Date => new Date(START + ms);

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** What a recorder under test must offer the rig. */
export interface RecorderUnderTest {
  /** Resolves once every row the recorder is writing is written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What the rig hands the recorder it builds. */
export interface RecorderDeps {
  bus: EventBus;
  store: Store;
  logger: Logger;
  now: () => number;
}

export interface RecorderRig<R, Row> {
  bus: EventBus;
  store: Store;
  recorder: R;
  /** Moves the recorder's clock. */
  advance(ms: number): void;
  /** Log lines the recorder wrote, parsed. */
  logs: LogLine[];
  /** Errors the bus caught from listeners (must stay empty). */
  listenerErrors: unknown[];
  /** A second connection to the same file, for what an operator could do to the database. */
  raw: BetterSqlite3.Database;
  onLog(handler: (line: { msg: string }) => void): void;
  /** The recorder's row for `callId`, once the recorder has written what it is writing. */
  row(callId: string): Promise<Row | undefined>;
}

/** A logger at debug level whose JSON lines are parsed into `logs` and handed to each of `handlers`. */
function capturingLogger(logs: LogLine[], handlers: ((line: { msg: string }) => void)[]): Logger {
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const text of String(chunk).split("\n").filter(Boolean)) {
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        for (const h of handlers) h(line);
      }
      callback();
    },
  });
  return createLogger({ level: "debug", destination });
}

/**
 * Builds the recorder with `create` over a store in a new temporary directory (named from `tempPrefix`); `read` is
 * how a test reads the recorder's row of a call. Torn down after the test: recorder, raw connection, store, files.
 */
export async function recorderRig<R extends RecorderUnderTest, Row>(
  t: ExecutionContext,
  o: { tempPrefix: string; create(deps: RecorderDeps): R; read(store: Store, callId: string): Promise<Row | undefined> },
): Promise<RecorderRig<R, Row>> {
  const dir = mkdtempSync(join(tmpdir(), o.tempPrefix));
  const file = join(dir, "ctibridge.sqlite");
  const logs: LogLine[] = [];
  const logHandlers: ((line: { msg: string }) => void)[] = [];
  const logger = capturingLogger(logs, logHandlers);
  const store = await openStore({ kind: "sqlite", file }, logger);
  const raw = new BetterSqlite3(file, { timeout: 5000 });
  const bus = new EventBus();
  const listenerErrors: unknown[] = [];
  bus.onListenerError = (_event, error) => listenerErrors.push(error);
  let clock = START;
  const recorder = o.create({ bus, store, logger, now: () => clock });
  t.teardown(async () => {
    await recorder.close();
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    bus,
    store,
    recorder,
    advance: (ms) => (clock += ms),
    logs,
    listenerErrors,
    raw,
    onLog: (handler) => logHandlers.push(handler),
    row: async (callId) => {
      await recorder.flush();
      return o.read(store, callId);
    },
  };
}
