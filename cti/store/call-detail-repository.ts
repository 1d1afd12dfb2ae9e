// Call detail records (call_detail): one row per service group call and per group it overflows into, inserted when
// the call leaves the group and completed with the last agent's clerical time when that agent leaves clerical state. Written only by the bridge, so
// reading is strict about outcomes but lenient about time formats, like the other tables.
import type { Kysely, Selectable } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { CALL_DETAIL_COLUMNS, callDetailQueries, type CallDetailRange, type CallDetailValues } from "./call-detail-queries.js";
import { toDate } from "./column-values.js";
import { insertUnlessPresent } from "./constraint-violations.js";
import type { CallDetailTable, CallOutcome, CallReleasedBy, Database, StoreKind } from "./database-schema.js";

export type { CallOutcome, CallReleasedBy } from "./database-schema.js";
export type { CallDetailRange } from "./call-detail-queries.js";

/** What the recorder writes. */
export type NewCallDetail = CallDetailValues;

/** A stored record. */
export interface CallDetail extends CallDetailValues {
  id: number;
}

export interface CallDetailRepository {
  /**
   * Stores the record of one call's visit to a service group. Resolves false, writing nothing, when the tenant
   * already has a record for this call id and visit (a repeated write is harmless). BAD_REQUEST when a value does
   * not fit its column.
   */
  insert(record: NewCallDetail): Promise<boolean>;
  /** Sets the clerical time of a call's last visit; CALL_NOT_FOUND when there is no record, BAD_REQUEST when ms < 0. */
  setClerical(tenantId: number, callId: string, clericalMs: number): Promise<void>;
  /** The call's last visit (the group where it ended), or undefined. */
  get(tenantId: number, callId: string): Promise<CallDetail | undefined>;
  /** Every visit of the call, first group first. */
  visits(tenantId: number, callId: string): Promise<CallDetail[]>;
  /** Calls that arrived in [from, to), oldest first, at most `limit` (1-10000). */
  list(range: CallDetailRange): Promise<CallDetail[]>;
}

export const MAX_CALL_DETAIL_LIST = 10_000;

/** Column widths (migration 002), so a value that does not fit is a clear error instead of a driver message. */
export const CALL_DETAIL_WIDTHS = {
  callId: 255,
  serviceAccess: 64,
  serviceGroup: 64,
  dialedNumber: 64,
  callerNumber: 64,
  callerName: 100,
  logonId: 100,
  extension: 32,
} as const;

/** The text columns that may be NULL. */
const NULLABLE_TEXT = new Set<string>(["callerName", "logonId", "extension"]);

const OUTCOMES: readonly CallOutcome[] = ["answered", "abandoned", "overflowed", "closed", "failed"];
const RELEASED_BY: readonly CallReleasedBy[] = ["caller", "agent", "system"];
/** The largest value of an integer column on SQL Server (about 24 days in milliseconds). */
const INT_MAX = 2_147_483_647;
/** The largest smallint. */
const MAX_VISIT = 32_767;

function checkWidths(record: NewCallDetail): void {
  for (const [field, width] of Object.entries(CALL_DETAIL_WIDTHS)) {
    const value: unknown = record[field as keyof typeof CALL_DETAIL_WIDTHS];
    if (value === null && NULLABLE_TEXT.has(field)) continue;
    if (typeof value !== "string" || value.length > width) {
      throw new CtiError(Errors.BAD_REQUEST, `call detail ${field} must be a string of at most ${width} characters`);
    }
  }
  if (record.callId.length === 0) throw new CtiError(Errors.BAD_REQUEST, "call detail callId must not be empty");
}

function checkCount(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > INT_MAX) {
    throw new CtiError(Errors.BAD_REQUEST, `call detail ${field} must be a whole number from 0 to ${INT_MAX}`);
  }
}

function checkDate(field: string, value: unknown): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new CtiError(Errors.BAD_REQUEST, `call detail ${field} must be a valid Date`);
}

function checkRecord(record: NewCallDetail): void {
  checkWidths(record);
  if (!OUTCOMES.includes(record.outcome)) throw new CtiError(Errors.BAD_REQUEST, `call detail outcome must be one of ${OUTCOMES.join(", ")}`);
  if (record.releasedBy !== null && !RELEASED_BY.includes(record.releasedBy)) {
    throw new CtiError(Errors.BAD_REQUEST, `call detail releasedBy must be null or one of ${RELEASED_BY.join(", ")}`);
  }
  checkDate("arrivedAt", record.arrivedAt);
  checkDate("endedAt", record.endedAt);
  if (record.answeredAt !== null) checkDate("answeredAt", record.answeredAt);
  for (const field of ["waitMs", "alertingMs", "talkMs", "offers"] as const) checkCount(field, record[field]);
  if (!Number.isInteger(record.visit) || record.visit < 1 || record.visit > MAX_VISIT) {
    throw new CtiError(Errors.BAD_REQUEST, `call detail visit must be a whole number from 1 to ${MAX_VISIT}`);
  }
  if (record.clericalMs !== null) checkCount("clericalMs", record.clericalMs);
}

type CallDetailRow = Pick<Selectable<CallDetailTable>, (typeof CALL_DETAIL_COLUMNS)[number]>;

export class SqlCallDetailRepository implements CallDetailRepository {
  readonly #db: Kysely<Database>;
  readonly #kind: StoreKind;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, kind: StoreKind, logger: Logger) {
    this.#db = db;
    this.#kind = kind;
    this.#logger = logger;
  }

  async insert(record: NewCallDetail): Promise<boolean> {
    checkRecord(record);
    return insertUnlessPresent(() => callDetailQueries.insert(this.#db, record).execute());
  }

  async setClerical(tenantId: number, callId: string, clericalMs: number): Promise<void> {
    checkCount("clericalMs", clericalMs);
    const result = await callDetailQueries.updateClerical(this.#db, tenantId, callId, clericalMs).executeTakeFirst();
    if (!result.numUpdatedRows) throw new CtiError(Errors.CALL_NOT_FOUND, `no call detail record for ${callId} in tenant ${tenantId}`);
  }

  async get(tenantId: number, callId: string): Promise<CallDetail | undefined> {
    return (await this.visits(tenantId, callId)).at(-1);
  }

  async visits(tenantId: number, callId: string): Promise<CallDetail[]> {
    const rows = await callDetailQueries.selectByCallId(this.#db, tenantId, callId).execute();
    return rows.map((r) => this.#toCallDetail(r));
  }

  async list(range: CallDetailRange): Promise<CallDetail[]> {
    if (!Number.isInteger(range.limit) || range.limit < 1 || range.limit > MAX_CALL_DETAIL_LIST) {
      throw new CtiError(Errors.BAD_REQUEST, `limit must be a whole number from 1 to ${MAX_CALL_DETAIL_LIST}`);
    }
    checkDate("range from", range.from);
    checkDate("range to", range.to);
    const rows = await callDetailQueries.selectRange(this.#db, this.#kind, range).execute();
    return rows.map((r) => this.#toCallDetail(r));
  }

  #toCallDetail(r: CallDetailRow): CallDetail {
    const time = (column: string, value: unknown): Date => {
      const date = toDate(value);
      if (date) return date;
      this.#logger.warn({ callId: r.call_id, column }, "call_detail time is unreadable; reading it as 1970-01-01");
      return new Date(0);
    };
    const outcome = OUTCOMES.find((o) => o === r.outcome) ?? "failed";
    const releasedBy = RELEASED_BY.find((o) => o === r.released_by) ?? null;
    return {
      id: Number(r.id),
      tenantId: Number(r.tenant_id),
      callId: String(r.call_id),
      visit: Number(r.visit),
      serviceAccess: String(r.service_access),
      serviceGroup: String(r.service_group),
      dialedNumber: String(r.dialed_number),
      callerNumber: String(r.caller_number),
      callerName: r.caller_name === null ? null : String(r.caller_name),
      arrivedAt: time("arrived_at", r.arrived_at),
      answeredAt: r.answered_at === null ? null : time("answered_at", r.answered_at),
      endedAt: time("ended_at", r.ended_at),
      outcome,
      logonId: r.logon_id === null ? null : String(r.logon_id),
      extension: r.extension === null ? null : String(r.extension),
      waitMs: Number(r.wait_ms),
      alertingMs: Number(r.alerting_ms),
      talkMs: Number(r.talk_ms),
      clericalMs: r.clerical_ms === null ? null : Number(r.clerical_ms),
      offers: Number(r.offers),
      releasedBy,
    };
  }
}
