// The tables the data layer reads and writes, as Kysely sees them. Column names follow the MiCC database
// (cc_user, phone_agent_logon, site_server_param) so customers' own SQL against these tables keeps working.
// Read types are wide on purpose: SQLite hands back 0/1 and text where SQL Server hands back bit and datetime2,
// and rows inserted by hand may carry either; cti/store/column-values.ts narrows them.
import type { ColumnType, Generated } from "kysely";

/** A boolean column: bit on SQL Server, integer 0/1 on SQLite. Written as 0/1 (better-sqlite3 cannot bind booleans). */
export type FlagColumn = ColumnType<boolean | number | string, 0 | 1, 0 | 1>;
/** A UTC timestamp: datetime2(3) on SQL Server, 'YYYY-MM-DD HH:MM:SS.SSS' text on SQLite. Written as a Date. */
export type TimestampColumn = ColumnType<Date | string | number, Date | undefined, Date>;
/** A UTC timestamp that may be empty (NULL). */
export type NullableTimestampColumn = ColumnType<Date | string | number | null, Date | null, Date | null>;

export interface CcUserTable {
  id: Generated<number>;
  tenant_id: ColumnType<number, number | undefined, number>;
  logon_id: string;
  /** `scrypt$N$r$p$salt$hash` (cti/store/pin-hash.ts). */
  pin_hash: string;
  first_name: string | null;
  last_name: string | null;
  /** Personal directory number. */
  personal_dn: string | null;
  /** Phone agent logon restore option: 0 system, 1 restore, 2 don't restore, 3 restore with priority. */
  phone_agent_logon: ColumnType<number, number | undefined, number>;
  locked: FlagColumn;
  failed_attempts: ColumnType<number, number | undefined, number>;
  /** Where the user's personal calls go while the user is not logged on (migration 004). */
  personal_default_destination: ColumnType<string | null, string | null | undefined, string | null>;
  /** Dispatch privilege: 0 = none ("Personal Call Routing Without Dispatch"); NULL or 1 = held (migration 004). */
  dispatch_privilege: ColumnType<boolean | number | string | null, 0 | 1 | null | undefined, 0 | 1 | null>;
  created_at: TimestampColumn;
  updated_at: TimestampColumn;
}

/** Exactly the manual's columns ("DATABASE HANDLING"): customers may fill this table by hand. */
export interface PhoneAgentLogonTable {
  agent_id: number;
  tenant_id: number;
  call_manager_id: number;
  phone_num: string;
  ready_status: FlagColumn;
  priority_logon: FlagColumn;
  time_stamp: TimestampColumn;
}

export interface SiteServerParamTable {
  id: Generated<number>;
  tenant_id: number;
  /** The call manager id from the YAML configuration. */
  config_id: string;
  name: string;
  site_id: string;
  server_type: string;
  address: string;
  port: number;
  transport: string;
}

/** How a service group call ended (call_detail.outcome). */
export type CallOutcome = "answered" | "abandoned" | "overflowed" | "closed" | "failed";
/** Which side hung up first (call_detail.released_by). */
export type CallReleasedBy = "caller" | "agent" | "system";

/**
 * One row per service group call (cti/cdr/call-detail-recorder.ts), and one more for each service group it
 * overflows into. Attributed as the manual's "Transfer of Service Group Voice Calls" says: to the last agent, alerting
 * at the first agent who answered, talking summed across agents, clerical time of the last agent only. Durations
 * are whole milliseconds.
 */
export interface CallDetailTable {
  id: Generated<number>;
  tenant_id: number;
  /** The caller leg's SIP Call-ID; (tenant_id, call_id, visit) is unique. */
  call_id: string;
  /** 1 for the first service group the call waited in, 2 for the group it overflowed into, and so on. */
  visit: number;
  service_access: string;
  service_group: string;
  dialed_number: string;
  caller_number: string;
  caller_name: string | null;
  arrived_at: TimestampColumn;
  answered_at: NullableTimestampColumn;
  ended_at: TimestampColumn;
  /** A CallOutcome (a CHECK constraint keeps it to those). */
  outcome: string;
  logon_id: string | null;
  extension: string | null;
  wait_ms: number;
  alerting_ms: number;
  talk_ms: number;
  /** Filled when the last agent leaves clerical state; NULL until then (or when it never enters it). */
  clerical_ms: number | null;
  offers: number;
  /** A CallReleasedBy, or NULL when nobody hung up (overflowed, closed). */
  released_by: string | null;
}

/** How a call an agent made ended (agent_call_detail.outcome). */
export type AgentCallOutcome = "answered" | "noAnswer" | "busy" | "declined" | "failed" | "cancelled";
/** Where an agent's call was when it ended (agent_call_detail.stage). */
export type AgentCallStageEnded = "agentRinging" | "dialing" | "connected";
/** Who ended an agent's call (agent_call_detail.released_by). */
export type AgentCallReleasedBy = "agent" | "destination" | "system";

/**
 * One row per call an agent made (MakeCall), written when it ends (cti/cdr/agent-call-recorder.ts, migration 005).
 * Durations are whole milliseconds.
 */
export interface AgentCallDetailTable {
  id: Generated<number>;
  tenant_id: number;
  /** The agent leg's SIP Call-ID (the bridge's id of the call); (tenant_id, call_id) is unique. */
  call_id: string;
  logon_id: string;
  extension: string;
  /** The call manager's id from the configuration. */
  call_manager: string;
  /** The number the agent asked for. */
  destination: string;
  /** The Request-URI user sent to the destination (caller ID prefix in front on OAS); NULL when never dialed. */
  dialed: string | null;
  /** The custom caller ID used; both NULL: the agent's own number. */
  caller_id_name: string | null;
  caller_id: string | null;
  /** NULL: a private call. */
  service_group: string | null;
  initiated_at: TimestampColumn;
  answered_at: NullableTimestampColumn;
  ended_at: TimestampColumn;
  /** An AgentCallOutcome (CHECK constraint). */
  outcome: string;
  /** An AgentCallStageEnded (CHECK constraint). */
  stage: string;
  /** An AgentCallReleasedBy (CHECK constraint). */
  released_by: string;
  sip_status: number | null;
  /** From the request until the destination answered; NULL when it never did. */
  setup_ms: number | null;
  talk_ms: number;
}

export interface Database {
  cc_user: CcUserTable;
  phone_agent_logon: PhoneAgentLogonTable;
  site_server_param: SiteServerParamTable;
  call_detail: CallDetailTable;
  agent_call_detail: AgentCallDetailTable;
}

export type StoreKind = "sqlite" | "mssql";
