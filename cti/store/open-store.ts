// The data layer's entry point: opens SQLite (embedded default) or SQL Server, brings the schema up to date and
// hands out the repositories. Every query is written once with Kysely; only the connection differs.
//
//   openStore({kind:"sqlite", file}) ──► better-sqlite3 (WAL, foreign keys, busy timeout) ─┐
//   openStore({kind:"mssql", url})   ──► mssql ConnectionPool (cti/store/mssql-pool-driver) ─┤
//                                                                                            ▼
//                                      Kysely<Database> ──► Migrator (migrations in code) ──► Store
import { Kysely, Migrator, sql } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { SqlAgentCallDetailRepository, type AgentCallDetailRepository } from "./agent-call-detail-repository.js";
import { SqlCallDetailRepository, type CallDetailRepository } from "./call-detail-repository.js";
import type { Database, StoreKind } from "./database-schema.js";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from "./migrations/index.js";
import { describeMssqlTarget, mssqlConnectionConfig } from "./mssql-connection-config.js";
import { MssqlPoolDialect, MssqlPoolDriver } from "./mssql-pool-driver.js";
import { SqlPhoneAgentLogonRepository, type PhoneAgentLogonRepository } from "./phone-agent-logon-repository.js";
import { burnPinHashTime } from "./pin-hash.js";
import { SqlSiteServerParamRepository, type SiteServerParamRepository } from "./site-server-param-repository.js";
import { openSqliteDatabase } from "./sqlite-connection.js";
import { SqlUserRepository, type UserRepository } from "./user-repository.js";
import { ObjectTagStore } from "../object-tags/object-tag-store.js";

export type { RestoreOption } from "./restore-option.js";
export type { User, NewUser, UserChanges, UserRepository, VerifyPinResult } from "./user-repository.js";
export type { PhoneAgentLogonRow, PhoneAgentLogonRepository } from "./phone-agent-logon-repository.js";
export type { CallManagerRow, SiteServerParamRepository } from "./site-server-param-repository.js";
export type { StoreKind } from "./database-schema.js";
export type { CallDetail, CallDetailRange, CallDetailRepository, CallOutcome, CallReleasedBy, NewCallDetail } from "./call-detail-repository.js";
export type { AgentCallDetail, AgentCallDetailRange, AgentCallDetailRepository, NewAgentCallDetail } from "./agent-call-detail-repository.js";

export type StoreOptions = { kind: "sqlite"; file: string } | { kind: "mssql"; url: string };

export class Store {
  readonly users: UserRepository;
  readonly phoneAgentLogons: PhoneAgentLogonRepository;
  readonly callManagers: SiteServerParamRepository;
  readonly callDetails: CallDetailRepository;
  /** Calls agents made (MakeCall), one record each. */
  readonly agentCallDetails: AgentCallDetailRepository;
  /** Object tags, their assignments and the dialed numbers they can be assigned to (cti/object-tags/). */
  readonly objectTags: ObjectTagStore;
  readonly kind: StoreKind;
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  /** Use openStore(); this assumes the schema is current. */
  constructor(db: Kysely<Database>, kind: StoreKind, logger: Logger) {
    this.#db = db;
    this.kind = kind;
    this.#logger = logger;
    this.users = new SqlUserRepository(db, logger);
    this.phoneAgentLogons = new SqlPhoneAgentLogonRepository(db, logger);
    this.callManagers = new SqlSiteServerParamRepository(db, logger);
    this.callDetails = new SqlCallDetailRepository(db, kind, logger);
    this.agentCallDetails = new SqlAgentCallDetailRepository(db, kind, logger);
    this.objectTags = new ObjectTagStore(db, logger);
  }

  /** A cheap round trip to the database (SELECT 1); rejects when it cannot be reached. */
  async ping(): Promise<void> {
    await sql`select 1 as alive`.execute(this.#db);
  }

  /** Closes the connection (pool). Idempotent; concurrent calls share one close. */
  close(): Promise<void> {
    this.#closing ??= this.#db.destroy().then(() => this.#logger.debug({ kind: this.kind }, "store closed"));
    return this.#closing;
  }
}

function connect(options: StoreOptions, logger: Logger): { db: Kysely<Database>; target: string } {
  if (options.kind === "sqlite") return { db: openSqliteDatabase(options.file), target: options.file };
  const config = mssqlConnectionConfig(options.url);
  const target = describeMssqlTarget(config);
  const driverLogger = logger.child({ store: "mssql" });
  return { db: new Kysely<Database>({ dialect: new MssqlPoolDialect(new MssqlPoolDriver(config, target, driverLogger)) }), target };
}

async function migrate(db: Kysely<Database>, kind: StoreKind, logger: Logger): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor(kind) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === "Success") logger.info({ migration: r.migrationName }, "database migration applied");
    if (r.status === "Error") logger.error({ migration: r.migrationName }, "database migration failed");
  }
  if (error) {
    if (error instanceof CtiError) throw error;
    throw new CtiError(Errors.STORE_UNAVAILABLE, `database migration failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

/** Opens the store: creates the SQLite file (and its folder) or connects to SQL Server, then runs migrations. */
export async function openStore(options: StoreOptions, logger: Logger): Promise<Store> {
  const { db, target } = connect(options, logger);
  try {
    await migrate(db, options.kind, logger);
    // Build the dummy hash now, so the first unknown-user PIN check costs what later ones do.
    await burnPinHashTime("0000");
  } catch (err) {
    await db.destroy().catch(() => undefined);
    if (err instanceof CtiError) throw err;
    throw new CtiError(Errors.STORE_UNAVAILABLE, `${options.kind} ${target}: ${(err as Error).message}`, { cause: err });
  }
  logger.info({ kind: options.kind, target }, "store open");
  return new Store(db, options.kind, logger);
}
