// The user directory (cc_user): logon IDs, PINs, names, the phone agent logon restore option, lockout
// ("PASSWORD MANAGEMENT": accounts lock after a number of failed logons; administrators lock and unlock them).
import type { Kysely, Selectable } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { toFlag } from "./column-values.js";
import { isUniqueViolation } from "./constraint-violations.js";
import type { CcUserTable, Database } from "./database-schema.js";
import { phoneAgentLogonQueries } from "./phone-agent-logon-queries.js";
import { assertValidPin, burnPinHashTime, hashPin, verifyPinHash } from "./pin-hash.js";
import { isRestoreOption, restoreOptionFromColumn, restoreOptionToColumn, type RestoreOption } from "./restore-option.js";
import { userQueries, type UserProfileChanges } from "./user-queries.js";

export interface User {
  id: number;
  tenantId: number;
  logonId: string;
  firstName: string | null;
  lastName: string | null;
  personalNumber: string | null;
  restoreOption: RestoreOption;
  locked: boolean;
  failedAttempts: number;
  /** Default Destination for personal calls while the user is not logged on (personal call routing). */
  defaultDestination: string | null;
  /** Dispatch privilege: may take calls from the Dispatch queue (without it: personal routing without dispatch). */
  dispatch: boolean;
}

export interface NewUser {
  tenantId: number;
  logonId: string;
  pin: string;
  firstName?: string;
  lastName?: string;
  personalNumber?: string;
  restoreOption?: RestoreOption;
  defaultDestination?: string;
  /** Default true. */
  dispatch?: boolean;
}

export interface UserChanges {
  firstName?: string | null;
  lastName?: string | null;
  personalNumber?: string | null;
  restoreOption?: RestoreOption;
  defaultDestination?: string | null;
  dispatch?: boolean;
}

export type VerifyPinResult =
  | { ok: true; user: User }
  | {
      ok: false;
      reason: "unknownUser" | "wrongPin" | "locked";
      user?: User;
      failedAttempts?: number;
      /** This attempt is the one that locked the account (report it, e.g. an SNMP trap). */
      lockedNow?: boolean;
    };

export interface UserRepository {
  /** Throws USER_EXISTS when the tenant already has this logon ID, PIN_INVALID unless the PIN is 4-12 digits. */
  add(input: NewUser): Promise<User>;
  get(tenantId: number, logonId: string): Promise<User | undefined>;
  /** The users with this personal directory number, by id (personal call routing matches the called number). */
  findByPersonalNumber(tenantId: number, personalNumber: string): Promise<User[]>;
  getById(id: number): Promise<User | undefined>;
  /** Ordered by logon ID. */
  list(tenantId: number): Promise<User[]>;
  /** Resets the failed attempts; USER_NOT_FOUND, PIN_INVALID. */
  setPin(tenantId: number, logonId: string, pin: string): Promise<void>;
  /** Fields left undefined keep their value; null clears. USER_NOT_FOUND. */
  update(tenantId: number, logonId: string, changes: UserChanges): Promise<User>;
  /** USER_NOT_FOUND. */
  lock(tenantId: number, logonId: string): Promise<void>;
  /** Clears the lock and the failed attempts; USER_NOT_FOUND. */
  unlock(tenantId: number, logonId: string): Promise<void>;
  /** Also removes the user's phone_agent_logon row; USER_NOT_FOUND. */
  remove(tenantId: number, logonId: string): Promise<void>;
  /** Checks a PIN and counts failures; locks the account when failures reach lockoutThreshold (0 = never). */
  verifyPin(tenantId: number, logonId: string, pin: string, lockoutThreshold: number): Promise<VerifyPinResult>;
}

type UserRow = Pick<Selectable<CcUserTable>, "id" | "tenant_id" | "logon_id" | "pin_hash" | "first_name" | "last_name" | "personal_dn" | "phone_agent_logon" | "locked" | "failed_attempts" | "personal_default_destination" | "dispatch_privilege">;

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    logonId: row.logon_id,
    firstName: row.first_name,
    lastName: row.last_name,
    personalNumber: row.personal_dn,
    restoreOption: restoreOptionFromColumn(row.phone_agent_logon),
    locked: toFlag(row.locked),
    failedAttempts: Number(row.failed_attempts),
    defaultDestination: row.personal_default_destination,
    dispatch: row.dispatch_privilege === null || toFlag(row.dispatch_privilege),
  };
}

const MAX_LOGON_ID = 100;
const MAX_NAME = 100;
const MAX_DIRECTORY_NUMBER = 32;

function checkLogonId(logonId: string): void {
  if (typeof logonId !== "string" || logonId.length === 0 || logonId.length > MAX_LOGON_ID || logonId.trim() !== logonId) {
    throw new CtiError(Errors.BAD_REQUEST, `a logon ID must be 1-${MAX_LOGON_ID} characters without surrounding spaces`);
  }
}

function checkText(field: string, value: string | null | undefined, max: number): void {
  if (value !== undefined && value !== null && value.length > max) {
    throw new CtiError(Errors.BAD_REQUEST, `${field} must be at most ${max} characters`);
  }
}

function checkRestoreOption(value: unknown): void {
  if (value !== undefined && !isRestoreOption(value)) {
    throw new CtiError(Errors.BAD_REQUEST, "restoreOption must be system, always, never or priority");
  }
}

export class SqlUserRepository implements UserRepository {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  async add(input: NewUser): Promise<User> {
    checkLogonId(input.logonId);
    assertValidPin(input.pin);
    checkText("firstName", input.firstName, MAX_NAME);
    checkText("lastName", input.lastName, MAX_NAME);
    checkText("personalNumber", input.personalNumber, MAX_DIRECTORY_NUMBER);
    checkText("defaultDestination", input.defaultDestination, MAX_DIRECTORY_NUMBER);
    checkRestoreOption(input.restoreOption);
    const pinHash = await hashPin(input.pin);
    try {
      // Read back by the unique key rather than RETURNING/OUTPUT, which differ between the dialects.
      const row = await this.#db.transaction().execute(async (tx) => {
        await userQueries
          .insert(
            tx,
            {
              tenantId: input.tenantId,
              logonId: input.logonId,
              pinHash,
              firstName: input.firstName ?? null,
              lastName: input.lastName ?? null,
              personalDn: input.personalNumber ?? null,
              restoreOption: restoreOptionToColumn(input.restoreOption ?? "system"),
              ...(input.defaultDestination !== undefined ? { defaultDestination: input.defaultDestination } : {}),
              ...(input.dispatch !== undefined ? { dispatch: input.dispatch ? 1 : 0 } : {}),
            },
            new Date(),
          )
          .execute();
        return userQueries.selectByLogonId(tx, input.tenantId, input.logonId).executeTakeFirstOrThrow();
      });
      const user = toUser(row);
      this.#logger.info({ tenantId: user.tenantId, logonId: user.logonId, userId: user.id }, "user added");
      return user;
    } catch (err) {
      if (isUniqueViolation(err)) throw new CtiError(Errors.USER_EXISTS, `${input.logonId} in tenant ${input.tenantId}`, { cause: err });
      throw err;
    }
  }

  async get(tenantId: number, logonId: string): Promise<User | undefined> {
    const row = await userQueries.selectByLogonId(this.#db, tenantId, logonId).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findByPersonalNumber(tenantId: number, personalNumber: string): Promise<User[]> {
    const rows = await userQueries.selectByPersonalNumber(this.#db, tenantId, personalNumber).execute();
    return rows.map(toUser);
  }

  async getById(id: number): Promise<User | undefined> {
    const row = await userQueries.selectById(this.#db, id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async list(tenantId: number): Promise<User[]> {
    const rows = await userQueries.selectByTenant(this.#db, tenantId).execute();
    return rows.map(toUser);
  }

  async setPin(tenantId: number, logonId: string, pin: string): Promise<void> {
    assertValidPin(pin);
    const pinHash = await hashPin(pin);
    const result = await userQueries.updatePin(this.#db, tenantId, logonId, pinHash, new Date()).executeTakeFirst();
    this.#requireOne(result.numUpdatedRows, tenantId, logonId);
    this.#logger.info({ tenantId, logonId }, "user PIN changed");
  }

  async update(tenantId: number, logonId: string, changes: UserChanges): Promise<User> {
    checkText("firstName", changes.firstName, MAX_NAME);
    checkText("lastName", changes.lastName, MAX_NAME);
    checkText("personalNumber", changes.personalNumber, MAX_DIRECTORY_NUMBER);
    checkText("defaultDestination", changes.defaultDestination, MAX_DIRECTORY_NUMBER);
    checkRestoreOption(changes.restoreOption);
    const profile: UserProfileChanges = {
      ...(changes.firstName !== undefined ? { firstName: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { lastName: changes.lastName } : {}),
      ...(changes.personalNumber !== undefined ? { personalDn: changes.personalNumber } : {}),
      ...(changes.restoreOption !== undefined ? { restoreOption: restoreOptionToColumn(changes.restoreOption) } : {}),
      ...(changes.defaultDestination !== undefined ? { defaultDestination: changes.defaultDestination } : {}),
      ...(changes.dispatch !== undefined ? { dispatch: changes.dispatch ? 1 : 0 } : {}),
    };
    const row = await this.#db.transaction().execute(async (tx) => {
      const result = await userQueries.updateProfile(tx, tenantId, logonId, profile, new Date()).executeTakeFirst();
      this.#requireOne(result.numUpdatedRows, tenantId, logonId);
      return userQueries.selectByLogonId(tx, tenantId, logonId).executeTakeFirstOrThrow();
    });
    return toUser(row);
  }

  async lock(tenantId: number, logonId: string): Promise<void> {
    const result = await userQueries.lock(this.#db, tenantId, logonId, new Date()).executeTakeFirst();
    this.#requireOne(result.numUpdatedRows, tenantId, logonId);
    this.#logger.info({ tenantId, logonId }, "user locked by administrator");
  }

  async unlock(tenantId: number, logonId: string): Promise<void> {
    const result = await userQueries.unlock(this.#db, tenantId, logonId, new Date()).executeTakeFirst();
    this.#requireOne(result.numUpdatedRows, tenantId, logonId);
    this.#logger.info({ tenantId, logonId }, "user unlocked");
  }

  async remove(tenantId: number, logonId: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await userQueries.selectByLogonId(tx, tenantId, logonId).executeTakeFirst();
      if (!row) throw new CtiError(Errors.USER_NOT_FOUND, `${logonId} in tenant ${tenantId}`);
      // The foreign key cascades too; deleting explicitly keeps this right on a database whose key was dropped.
      await phoneAgentLogonQueries.delete(tx, Number(row.id)).execute();
      const result = await userQueries.delete(tx, tenantId, logonId).executeTakeFirst();
      this.#requireOne(result.numDeletedRows, tenantId, logonId);
    });
    this.#logger.info({ tenantId, logonId }, "user removed");
  }

  async verifyPin(tenantId: number, logonId: string, pin: string, lockoutThreshold: number): Promise<VerifyPinResult> {
    if (!Number.isInteger(lockoutThreshold) || lockoutThreshold < 0) {
      throw new CtiError(Errors.BAD_REQUEST, "lockoutThreshold must be a non-negative integer");
    }
    const row = await userQueries.selectByLogonId(this.#db, tenantId, logonId).executeTakeFirst();
    if (!row) {
      // Same cost as a real check, so timing does not tell which logon IDs exist.
      await burnPinHashTime(pin);
      return { ok: false, reason: "unknownUser" };
    }
    const matches = await verifyPinHash(pin, row.pin_hash);
    const user = toUser(row);
    if (user.locked) return { ok: false, reason: "locked", user, failedAttempts: user.failedAttempts };

    if (matches) {
      const reset = await userQueries.resetFailures(this.#db, user.id).executeTakeFirst();
      if (reset.numUpdatedRows === 0n) return this.#lockedMeanwhile(user.id);
      return { ok: true, user: { ...user, failedAttempts: 0 } };
    }

    // Count in one UPDATE and read the count back inside the same transaction: the row stays write-locked until
    // commit (SQL Server) or the whole database does (SQLite), so the number read is the one this attempt wrote.
    const after = await this.#db.transaction().execute(async (tx) => {
      const counted = await userQueries.countFailure(tx, user.id, lockoutThreshold, new Date()).executeTakeFirst();
      if (counted.numUpdatedRows === 0n) return undefined;
      return userQueries.selectById(tx, user.id).executeTakeFirst();
    });
    if (!after) return this.#lockedMeanwhile(user.id);
    const updated = toUser(after);
    if (updated.locked) {
      this.#logger.warn({ tenantId, logonId, failedAttempts: updated.failedAttempts }, "account locked after failed PIN attempts");
    }
    return { ok: false, reason: "wrongPin", user: updated, failedAttempts: updated.failedAttempts, lockedNow: updated.locked };
  }

  async #lockedMeanwhile(id: number): Promise<VerifyPinResult> {
    const current = await this.getById(id);
    return current
      ? { ok: false, reason: "locked", user: current, failedAttempts: current.failedAttempts }
      : { ok: false, reason: "unknownUser" };
  }

  #requireOne(affected: bigint | undefined, tenantId: number, logonId: string): void {
    if (!affected) throw new CtiError(Errors.USER_NOT_FOUND, `${logonId} in tenant ${tenantId}`);
  }
}
