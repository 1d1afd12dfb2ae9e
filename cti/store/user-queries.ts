// Every query on cc_user, written once for SQLite and SQL Server. Each returns an unexecuted builder so the
// T-SQL it compiles to can be snapshot-tested without a server (test/store/compiled-tsql.test.ts).
// No LIMIT, ON CONFLICT or RETURNING: those do not exist in T-SQL.
import { sql, type Kysely } from "kysely";
import type { Database } from "./database-schema.js";

type Db = Kysely<Database>;

const USER_COLUMNS = [
  "id",
  "tenant_id",
  "logon_id",
  "pin_hash",
  "first_name",
  "last_name",
  "personal_dn",
  "phone_agent_logon",
  "locked",
  "failed_attempts",
  "personal_default_destination",
  "dispatch_privilege",
] as const;

export interface NewUserRow {
  tenantId: number;
  logonId: string;
  pinHash: string;
  firstName: string | null;
  lastName: string | null;
  personalDn: string | null;
  restoreOption: number;
  defaultDestination?: string | null;
  dispatch?: 0 | 1 | null;
}

export interface UserProfileChanges {
  firstName?: string | null;
  lastName?: string | null;
  personalDn?: string | null;
  restoreOption?: number;
  defaultDestination?: string | null;
  dispatch?: 0 | 1;
}

export const userQueries = {
  selectByLogonId: (db: Db, tenantId: number, logonId: string) =>
    db.selectFrom("cc_user").select(USER_COLUMNS).where("tenant_id", "=", tenantId).where("logon_id", "=", logonId),

  /** Personal call routing: the users whose personal directory number is this one (one, unless misconfigured). */
  selectByPersonalNumber: (db: Db, tenantId: number, personalDn: string) =>
    db.selectFrom("cc_user").select(USER_COLUMNS).where("tenant_id", "=", tenantId).where("personal_dn", "=", personalDn).orderBy("id"),

  selectById: (db: Db, id: number) => db.selectFrom("cc_user").select(USER_COLUMNS).where("id", "=", id),

  selectByTenant: (db: Db, tenantId: number) =>
    db.selectFrom("cc_user").select(USER_COLUMNS).where("tenant_id", "=", tenantId).orderBy("logon_id").orderBy("id"),

  insert: (db: Db, row: NewUserRow, now: Date) =>
    db.insertInto("cc_user").values({
      tenant_id: row.tenantId,
      logon_id: row.logonId,
      pin_hash: row.pinHash,
      first_name: row.firstName,
      last_name: row.lastName,
      personal_dn: row.personalDn,
      phone_agent_logon: row.restoreOption,
      ...(row.defaultDestination !== undefined ? { personal_default_destination: row.defaultDestination } : {}),
      ...(row.dispatch !== undefined ? { dispatch_privilege: row.dispatch } : {}),
      locked: 0,
      failed_attempts: 0,
      created_at: now,
      updated_at: now,
    }),

  /** A new PIN starts a new count of failures. */
  updatePin: (db: Db, tenantId: number, logonId: string, pinHash: string, now: Date) =>
    db
      .updateTable("cc_user")
      .set({ pin_hash: pinHash, failed_attempts: 0, updated_at: now })
      .where("tenant_id", "=", tenantId)
      .where("logon_id", "=", logonId),

  updateProfile: (db: Db, tenantId: number, logonId: string, changes: UserProfileChanges, now: Date) =>
    db
      .updateTable("cc_user")
      .set({
        ...(changes.firstName !== undefined ? { first_name: changes.firstName } : {}),
        ...(changes.lastName !== undefined ? { last_name: changes.lastName } : {}),
        ...(changes.personalDn !== undefined ? { personal_dn: changes.personalDn } : {}),
        ...(changes.restoreOption !== undefined ? { phone_agent_logon: changes.restoreOption } : {}),
        ...(changes.defaultDestination !== undefined ? { personal_default_destination: changes.defaultDestination } : {}),
        ...(changes.dispatch !== undefined ? { dispatch_privilege: changes.dispatch } : {}),
        updated_at: now,
      })
      .where("tenant_id", "=", tenantId)
      .where("logon_id", "=", logonId),

  lock: (db: Db, tenantId: number, logonId: string, now: Date) =>
    db.updateTable("cc_user").set({ locked: 1, updated_at: now }).where("tenant_id", "=", tenantId).where("logon_id", "=", logonId),

  unlock: (db: Db, tenantId: number, logonId: string, now: Date) =>
    db
      .updateTable("cc_user")
      .set({ locked: 0, failed_attempts: 0, updated_at: now })
      .where("tenant_id", "=", tenantId)
      .where("logon_id", "=", logonId),

  delete: (db: Db, tenantId: number, logonId: string) =>
    db.deleteFrom("cc_user").where("tenant_id", "=", tenantId).where("logon_id", "=", logonId),

  /**
   * Counts one wrong PIN and locks when the count reaches the threshold (0 = never), in one statement so two
   * concurrent failures both count. Only an unlocked row changes: 0 rows affected means it was already locked.
   * Both dialects evaluate the right-hand sides on the row's old values.
   */
  countFailure: (db: Db, id: number, lockoutThreshold: number, now: Date) =>
    db
      .updateTable("cc_user")
      .set({
        failed_attempts: sql<number>`failed_attempts + 1`,
        locked: sql<0 | 1>`case when ${lockoutThreshold} > 0 and failed_attempts + 1 >= ${lockoutThreshold} then 1 else 0 end`,
        updated_at: now,
      })
      .where("id", "=", id)
      .where("locked", "=", 0),

  /** A right PIN clears the failure count, but only if nobody locked the account meanwhile (0 rows = locked). */
  resetFailures: (db: Db, id: number) =>
    db.updateTable("cc_user").set({ failed_attempts: 0 }).where("id", "=", id).where("locked", "=", 0),
};
