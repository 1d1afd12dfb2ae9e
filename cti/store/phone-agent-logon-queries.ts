// Every query on phone_agent_logon, written once for SQLite and SQL Server (see user-queries.ts).
// Saving is update-then-insert (no ON CONFLICT in T-SQL, no MERGE in SQLite): cti/store/upsert.ts.
import type { Kysely } from "kysely";
import type { Database } from "./database-schema.js";
import { flag } from "./column-values.js";

type Db = Kysely<Database>;

export interface PhoneAgentLogonValues {
  agentId: number;
  tenantId: number;
  callManagerId: number;
  phoneNum: string;
  readyStatus: boolean;
  priorityLogon: boolean;
}

/** The columns a save writes besides the key. */
const savedColumns = (row: PhoneAgentLogonValues, now: Date) => ({
  tenant_id: row.tenantId,
  call_manager_id: row.callManagerId,
  phone_num: row.phoneNum,
  ready_status: flag(row.readyStatus),
  priority_logon: flag(row.priorityLogon),
  time_stamp: now,
});

export const phoneAgentLogonQueries = {
  update: (db: Db, row: PhoneAgentLogonValues, now: Date) =>
    db.updateTable("phone_agent_logon").set(savedColumns(row, now)).where("agent_id", "=", row.agentId),

  insert: (db: Db, row: PhoneAgentLogonValues, now: Date) =>
    db.insertInto("phone_agent_logon").values({ agent_id: row.agentId, ...savedColumns(row, now) }),

  delete: (db: Db, agentId: number) => db.deleteFrom("phone_agent_logon").where("agent_id", "=", agentId),

  /** Restore order from the manual: priority agents first, then the longest-standing logons. */
  selectAll: (db: Db) =>
    db
      .selectFrom("phone_agent_logon")
      .select(["agent_id", "tenant_id", "call_manager_id", "phone_num", "ready_status", "priority_logon", "time_stamp"])
      .orderBy("priority_logon", "desc")
      .orderBy("time_stamp", "asc")
      .orderBy("agent_id", "asc"),
};
