// Phone agent logon state kept across restarts (manual: PHONE AGENT AUTOMATIC LOGON / DATABASE HANDLING). Rows are
// written when a phone agent logs on or changes voice ready status and deleted at logoff; at startup list() gives
// the agents to log on again, priority agents first. Customers may also fill the table by hand, so reading is lenient.
import type { Kysely } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { toDate, toFlag } from "./column-values.js";
import { isForeignKeyViolation } from "./constraint-violations.js";
import type { Database } from "./database-schema.js";
import { phoneAgentLogonQueries, type PhoneAgentLogonValues } from "./phone-agent-logon-queries.js";
import { updateOrInsert } from "./upsert.js";

export interface PhoneAgentLogonRow extends PhoneAgentLogonValues {
  timeStamp: Date;
}

export interface PhoneAgentLogonRepository {
  /** Insert or update by agent_id, time_stamp = now. BAD_REQUEST when the agent or call manager does not exist. */
  save(row: Omit<PhoneAgentLogonRow, "timeStamp">): Promise<void>;
  /** Removing an agent that has no row is not an error (a logoff may be repeated). */
  remove(agentId: number): Promise<void>;
  /** Priority first, then oldest time_stamp, then agent_id. */
  list(): Promise<PhoneAgentLogonRow[]>;
}

export class SqlPhoneAgentLogonRepository implements PhoneAgentLogonRepository {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  async save(row: Omit<PhoneAgentLogonRow, "timeStamp">): Promise<void> {
    if (typeof row.phoneNum !== "string" || row.phoneNum.length === 0 || row.phoneNum.length > 32) {
      throw new CtiError(Errors.BAD_REQUEST, "phoneNum must be 1-32 characters");
    }
    const now = new Date();
    try {
      await updateOrInsert(
        async () => (await phoneAgentLogonQueries.update(this.#db, row, now).executeTakeFirst()).numUpdatedRows,
        () => phoneAgentLogonQueries.insert(this.#db, row, now).execute(),
      );
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new CtiError(Errors.BAD_REQUEST, `agent ${row.agentId} or call manager ${row.callManagerId} does not exist`, { cause: err });
      }
      throw err;
    }
  }

  async remove(agentId: number): Promise<void> {
    await phoneAgentLogonQueries.delete(this.#db, agentId).execute();
  }

  async list(): Promise<PhoneAgentLogonRow[]> {
    const rows = await phoneAgentLogonQueries.selectAll(this.#db).execute();
    const result = rows.map((r): PhoneAgentLogonRow => {
      let timeStamp = toDate(r.time_stamp);
      if (!timeStamp) {
        this.#logger.warn({ agentId: r.agent_id }, "phone_agent_logon.time_stamp is unreadable; treating it as the oldest");
        timeStamp = new Date(0);
      }
      return {
        agentId: Number(r.agent_id),
        tenantId: Number(r.tenant_id),
        callManagerId: Number(r.call_manager_id),
        phoneNum: String(r.phone_num),
        readyStatus: toFlag(r.ready_status),
        priorityLogon: toFlag(r.priority_logon),
        timeStamp,
      };
    });
    // The SQL order is right for the API's own rows; on SQLite, hand-inserted text in another time format (or unix
    // seconds) does not sort as time, so the order is settled again on the parsed values. Stable, so ties keep
    // the agent_id order.
    return result.sort(
      (a, b) => Number(b.priorityLogon) - Number(a.priorityLogon) || a.timeStamp.getTime() - b.timeStamp.getTime() || a.agentId - b.agentId,
    );
  }
}
