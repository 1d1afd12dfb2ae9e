// Every query on call_detail, written once for SQLite and SQL Server (see user-queries.ts). The one dialect
// difference is how a result is cut short: T-SQL has no LIMIT (offset/fetch instead) and SQLite has no FETCH.
import type { Kysely } from "kysely";
import type { CallOutcome, CallReleasedBy, Database, StoreKind } from "./database-schema.js";

type Db = Kysely<Database>;

/** A call detail record as the recorder writes it. */
export interface CallDetailValues {
  tenantId: number;
  callId: string;
  /** 1 for the first service group the call waited in, 2 after an overflow into another group, … */
  visit: number;
  serviceAccess: string;
  serviceGroup: string;
  dialedNumber: string;
  callerNumber: string;
  callerName: string | null;
  arrivedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  outcome: CallOutcome;
  logonId: string | null;
  extension: string | null;
  waitMs: number;
  alertingMs: number;
  talkMs: number;
  clericalMs: number | null;
  offers: number;
  releasedBy: CallReleasedBy | null;
}

/** Which records a list returns: arrived in [from, to), optionally of one group and/or one agent. */
export interface CallDetailRange {
  tenantId: number;
  from: Date;
  to: Date;
  serviceGroup?: string;
  logonId?: string;
  limit: number;
}

export const CALL_DETAIL_COLUMNS = [
  "id",
  "tenant_id",
  "call_id",
  "visit",
  "service_access",
  "service_group",
  "dialed_number",
  "caller_number",
  "caller_name",
  "arrived_at",
  "answered_at",
  "ended_at",
  "outcome",
  "logon_id",
  "extension",
  "wait_ms",
  "alerting_ms",
  "talk_ms",
  "clerical_ms",
  "offers",
  "released_by",
] as const;

export const callDetailQueries = {
  insert: (db: Db, row: CallDetailValues) =>
    db.insertInto("call_detail").values({
      tenant_id: row.tenantId,
      call_id: row.callId,
      visit: row.visit,
      service_access: row.serviceAccess,
      service_group: row.serviceGroup,
      dialed_number: row.dialedNumber,
      caller_number: row.callerNumber,
      caller_name: row.callerName,
      arrived_at: row.arrivedAt,
      answered_at: row.answeredAt,
      ended_at: row.endedAt,
      outcome: row.outcome,
      logon_id: row.logonId,
      extension: row.extension,
      wait_ms: row.waitMs,
      alerting_ms: row.alertingMs,
      talk_ms: row.talkMs,
      clerical_ms: row.clericalMs,
      offers: row.offers,
      released_by: row.releasedBy,
    }),

  /** Every visit of one call, first group first. */
  selectByCallId: (db: Db, tenantId: number, callId: string) =>
    db
      .selectFrom("call_detail")
      .select(CALL_DETAIL_COLUMNS)
      .where("tenant_id", "=", tenantId)
      .where("call_id", "=", callId)
      .orderBy("visit", "asc"),

  /** Clerical time belongs to the call's last visit: the only one an agent can have answered. */
  updateClerical: (db: Db, tenantId: number, callId: string, clericalMs: number) =>
    db
      .updateTable("call_detail")
      .set({ clerical_ms: clericalMs })
      .where("tenant_id", "=", tenantId)
      .where("call_id", "=", callId)
      .where("visit", "=", (eb) =>
        eb.selectFrom("call_detail as last").select((l) => l.fn.max("last.visit").as("visit")).where("last.tenant_id", "=", tenantId).where("last.call_id", "=", callId),
      ),

  /** Oldest arrival first. Each filter combination has an index led by (tenant_id, group or agent, arrived_at). */
  selectRange: (db: Db, kind: StoreKind, range: CallDetailRange) => {
    const query = db
      .selectFrom("call_detail")
      .select(CALL_DETAIL_COLUMNS)
      .where("tenant_id", "=", range.tenantId)
      .$if(range.serviceGroup !== undefined, (q) => q.where("service_group", "=", range.serviceGroup!))
      .$if(range.logonId !== undefined, (q) => q.where("logon_id", "=", range.logonId!))
      .where("arrived_at", ">=", range.from)
      .where("arrived_at", "<", range.to)
      .orderBy("arrived_at", "asc")
      .orderBy("id", "asc");
    return kind === "mssql" ? query.offset(0).fetch(range.limit) : query.limit(range.limit);
  },
};
