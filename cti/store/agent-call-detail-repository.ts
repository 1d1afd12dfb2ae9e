// Call detail records of calls agents make (agent_call_detail, migration 005): one row per call, inserted when it
// ends. Written only by the bridge; like call-detail-repository.ts, strict when writing, lenient about time formats
// when reading.
import type { Kysely, Selectable } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { AGENT_CALL_DETAIL_COLUMNS, agentCallDetailQueries, type AgentCallDetailRange, type AgentCallDetailValues } from "./agent-call-detail-queries.js";
import { toDate } from "./column-values.js";
import { insertUnlessPresent } from "./constraint-violations.js";
import type { AgentCallDetailTable, AgentCallOutcome, AgentCallReleasedBy, AgentCallStageEnded, Database, StoreKind } from "./database-schema.js";

export type { AgentCallOutcome, AgentCallReleasedBy, AgentCallStageEnded } from "./database-schema.js";
export type { AgentCallDetailRange } from "./agent-call-detail-queries.js";

/** What the recorder writes. */
export type NewAgentCallDetail = AgentCallDetailValues;

/** A stored record. */
export interface AgentCallDetail extends AgentCallDetailValues {
  id: number;
}

export interface AgentCallDetailRepository {
  /**
   * Stores the record of one call an agent made. Resolves false, writing nothing, when the tenant already has a
   * record for this call id (a repeated write is harmless). BAD_REQUEST when a value does not fit its column.
   */
  insert(record: NewAgentCallDetail): Promise<boolean>;
  get(tenantId: number, callId: string): Promise<AgentCallDetail | undefined>;
  /** Calls initiated in [from, to), oldest first, at most `limit` (1-10000). */
  list(range: AgentCallDetailRange): Promise<AgentCallDetail[]>;
}

export const MAX_AGENT_CALL_DETAIL_LIST = 10_000;

/** Column widths (migration 005), so a value that does not fit is a clear error instead of a driver message. */
export const AGENT_CALL_DETAIL_WIDTHS = {
  callId: 255,
  logonId: 100,
  extension: 32,
  callManagerId: 64,
  destination: 64,
  dialed: 64,
  callerIdName: 100,
  callerId: 64,
  serviceGroup: 64,
} as const;

const OUTCOMES: readonly AgentCallOutcome[] = ["answered", "noAnswer", "busy", "declined", "failed", "cancelled"];
const STAGES: readonly AgentCallStageEnded[] = ["agentRinging", "dialing", "connected"];
const RELEASED_BY: readonly AgentCallReleasedBy[] = ["agent", "destination", "system"];
/** The largest value of an integer column on SQL Server (about 24 days in milliseconds). */
const INT_MAX = 2_147_483_647;

function bad(message: string): CtiError {
  return new CtiError(Errors.BAD_REQUEST, `agent call detail ${message}`);
}

function checkText(field: keyof typeof AGENT_CALL_DETAIL_WIDTHS, value: unknown, nullable: boolean): void {
  if (value === null && nullable) return;
  const width = AGENT_CALL_DETAIL_WIDTHS[field];
  if (typeof value !== "string" || value.length > width) throw bad(`${field} must be a string of at most ${width} characters`);
}

function checkMs(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > INT_MAX) throw bad(`${field} must be a whole number from 0 to ${INT_MAX}`);
}

function checkDate(field: string, value: unknown): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw bad(`${field} must be a valid Date`);
}

function checkRecord(r: NewAgentCallDetail): void {
  for (const field of ["callId", "logonId", "extension", "callManagerId", "destination"] as const) checkText(field, r[field], false);
  if (r.callId.length === 0) throw bad("callId must not be empty");
  checkText("dialed", r.dialed, true);
  checkText("serviceGroup", r.serviceGroup, true);
  if (r.callerId !== null) {
    checkText("callerIdName", r.callerId?.name, false);
    checkText("callerId", r.callerId?.callerId, false);
  }
  if (!OUTCOMES.includes(r.outcome)) throw bad(`outcome must be one of ${OUTCOMES.join(", ")}`);
  if (!STAGES.includes(r.stage)) throw bad(`stage must be one of ${STAGES.join(", ")}`);
  if (!RELEASED_BY.includes(r.releasedBy)) throw bad(`releasedBy must be one of ${RELEASED_BY.join(", ")}`);
  checkDate("initiatedAt", r.initiatedAt);
  checkDate("endedAt", r.endedAt);
  if (r.answeredAt !== null) checkDate("answeredAt", r.answeredAt);
  if (r.sipStatus !== null && (!Number.isInteger(r.sipStatus) || r.sipStatus < 100 || r.sipStatus > 699)) throw bad("sipStatus must be null or a SIP status 100-699");
  if (r.setupMs !== null) checkMs("setupMs", r.setupMs);
  checkMs("talkMs", r.talkMs);
}

type AgentCallDetailRow = Pick<Selectable<AgentCallDetailTable>, (typeof AGENT_CALL_DETAIL_COLUMNS)[number]>;

export class SqlAgentCallDetailRepository implements AgentCallDetailRepository {
  readonly #db: Kysely<Database>;
  readonly #kind: StoreKind;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, kind: StoreKind, logger: Logger) {
    this.#db = db;
    this.#kind = kind;
    this.#logger = logger;
  }

  async insert(record: NewAgentCallDetail): Promise<boolean> {
    checkRecord(record);
    return insertUnlessPresent(() => agentCallDetailQueries.insert(this.#db, record).execute());
  }

  async get(tenantId: number, callId: string): Promise<AgentCallDetail | undefined> {
    const row = await agentCallDetailQueries.selectByCallId(this.#db, tenantId, callId).executeTakeFirst();
    return row && this.#toRecord(row);
  }

  async list(range: AgentCallDetailRange): Promise<AgentCallDetail[]> {
    if (!Number.isInteger(range.limit) || range.limit < 1 || range.limit > MAX_AGENT_CALL_DETAIL_LIST) {
      throw new CtiError(Errors.BAD_REQUEST, `limit must be a whole number from 1 to ${MAX_AGENT_CALL_DETAIL_LIST}`);
    }
    checkDate("range from", range.from);
    checkDate("range to", range.to);
    const rows = await agentCallDetailQueries.selectRange(this.#db, this.#kind, range).execute();
    return rows.map((r) => this.#toRecord(r));
  }

  #toRecord(r: AgentCallDetailRow): AgentCallDetail {
    const time = (column: string, value: unknown): Date => {
      const date = toDate(value);
      if (date) return date;
      this.#logger.warn({ callId: r.call_id, column }, "agent_call_detail time is unreadable; reading it as 1970-01-01");
      return new Date(0);
    };
    const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
    const callerIdName = text(r.caller_id_name);
    const callerId = text(r.caller_id);
    return {
      id: Number(r.id),
      tenantId: Number(r.tenant_id),
      callId: String(r.call_id),
      logonId: String(r.logon_id),
      extension: String(r.extension),
      callManagerId: String(r.call_manager),
      destination: String(r.destination),
      dialed: text(r.dialed),
      callerId: callerIdName !== null || callerId !== null ? { name: callerIdName ?? "", callerId: callerId ?? "" } : null,
      serviceGroup: text(r.service_group),
      initiatedAt: time("initiated_at", r.initiated_at),
      answeredAt: r.answered_at === null ? null : time("answered_at", r.answered_at),
      endedAt: time("ended_at", r.ended_at),
      outcome: OUTCOMES.find((o) => o === r.outcome) ?? "failed",
      stage: STAGES.find((s) => s === r.stage) ?? "agentRinging",
      releasedBy: RELEASED_BY.find((b) => b === r.released_by) ?? "system",
      sipStatus: r.sip_status === null ? null : Number(r.sip_status),
      setupMs: r.setup_ms === null ? null : Number(r.setup_ms),
      talkMs: Number(r.talk_ms),
    };
  }
}
