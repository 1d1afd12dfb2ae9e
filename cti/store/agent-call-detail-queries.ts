// Every query on agent_call_detail, written once for SQLite and SQL Server (see call-detail-queries.ts for the one
// dialect difference: how a result is cut short).
import type { Kysely } from "kysely";
import type { AgentCallOutcome, AgentCallReleasedBy, AgentCallStageEnded, Database, StoreKind } from "./database-schema.js";

type Db = Kysely<Database>;

/** A record of one call an agent made, as the recorder writes it. */
export interface AgentCallDetailValues {
  tenantId: number;
  /** The agent leg's SIP Call-ID. */
  callId: string;
  logonId: string;
  extension: string;
  callManagerId: string;
  /** As the agent asked for it. */
  destination: string;
  /** What was sent to the destination (the caller ID prefix in front on OAS); null when it was never called. */
  dialed: string | null;
  /** The custom caller ID used; null: the agent's own number. */
  callerId: { name: string; callerId: string } | null;
  /** null: a private call. */
  serviceGroup: string | null;
  initiatedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  outcome: AgentCallOutcome;
  stage: AgentCallStageEnded;
  releasedBy: AgentCallReleasedBy;
  sipStatus: number | null;
  /** initiatedAt → answeredAt; null when the destination never answered. */
  setupMs: number | null;
  talkMs: number;
}

/** Which records a list returns: initiated in [from, to), optionally by one agent and/or for one service group. */
export interface AgentCallDetailRange {
  tenantId: number;
  from: Date;
  to: Date;
  logonId?: string;
  serviceGroup?: string;
  limit: number;
}

export const AGENT_CALL_DETAIL_COLUMNS = [
  "id",
  "tenant_id",
  "call_id",
  "logon_id",
  "extension",
  "call_manager",
  "destination",
  "dialed",
  "caller_id_name",
  "caller_id",
  "service_group",
  "initiated_at",
  "answered_at",
  "ended_at",
  "outcome",
  "stage",
  "released_by",
  "sip_status",
  "setup_ms",
  "talk_ms",
] as const;

export const agentCallDetailQueries = {
  insert: (db: Db, row: AgentCallDetailValues) =>
    db.insertInto("agent_call_detail").values({
      tenant_id: row.tenantId,
      call_id: row.callId,
      logon_id: row.logonId,
      extension: row.extension,
      call_manager: row.callManagerId,
      destination: row.destination,
      dialed: row.dialed,
      caller_id_name: row.callerId?.name ?? null,
      caller_id: row.callerId?.callerId ?? null,
      service_group: row.serviceGroup,
      initiated_at: row.initiatedAt,
      answered_at: row.answeredAt,
      ended_at: row.endedAt,
      outcome: row.outcome,
      stage: row.stage,
      released_by: row.releasedBy,
      sip_status: row.sipStatus,
      setup_ms: row.setupMs,
      talk_ms: row.talkMs,
    }),

  selectByCallId: (db: Db, tenantId: number, callId: string) =>
    db.selectFrom("agent_call_detail").select(AGENT_CALL_DETAIL_COLUMNS).where("tenant_id", "=", tenantId).where("call_id", "=", callId),

  /** Oldest first. Each filter has an index led by (tenant_id, agent or group, initiated_at). */
  selectRange: (db: Db, kind: StoreKind, range: AgentCallDetailRange) => {
    const query = db
      .selectFrom("agent_call_detail")
      .select(AGENT_CALL_DETAIL_COLUMNS)
      .where("tenant_id", "=", range.tenantId)
      .$if(range.serviceGroup !== undefined, (q) => q.where("service_group", "=", range.serviceGroup!))
      .$if(range.logonId !== undefined, (q) => q.where("logon_id", "=", range.logonId!))
      .where("initiated_at", ">=", range.from)
      .where("initiated_at", "<", range.to)
      .orderBy("initiated_at", "asc")
      .orderBy("id", "asc");
    return kind === "mssql" ? query.offset(0).fetch(range.limit) : query.limit(range.limit);
  },
};
