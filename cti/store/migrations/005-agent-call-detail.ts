// Call detail records of calls agents make (MakeCall): one agent_call_detail row per call, written when it ends
// (cti/cdr/agent-call-recorder.ts). Indexed like call_detail for the report questions: an agent's calls in a time
// range, the calls made for a service group in a time range (plus all of a tenant's calls in a range).
import { sql, type Kysely, type Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { columnTypesFor } from "./column-types.js";

export function agentCallDetail(kind: StoreKind): Migration {
  const t = columnTypesFor(kind);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("agent_call_detail")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("tenant_id", "integer", (c) => c.notNull())
        .addColumn("call_id", "varchar(255)", (c) => c.notNull())
        .addColumn("logon_id", "varchar(100)", (c) => c.notNull())
        .addColumn("extension", "varchar(32)", (c) => c.notNull())
        .addColumn("call_manager", "varchar(64)", (c) => c.notNull())
        .addColumn("destination", "varchar(64)", (c) => c.notNull())
        .addColumn("dialed", "varchar(64)")
        .addColumn("caller_id_name", t.unicodeText(100))
        .addColumn("caller_id", "varchar(64)")
        .addColumn("service_group", "varchar(64)")
        .addColumn("initiated_at", t.timestamp, (c) => c.notNull())
        .addColumn("answered_at", t.timestamp)
        .addColumn("ended_at", t.timestamp, (c) => c.notNull())
        .addColumn("outcome", "varchar(10)", (c) =>
          c.notNull().check(sql`outcome in ('answered', 'noAnswer', 'busy', 'declined', 'failed', 'cancelled')`),
        )
        .addColumn("stage", "varchar(12)", (c) => c.notNull().check(sql`stage in ('agentRinging', 'dialing', 'connected')`))
        .addColumn("released_by", "varchar(11)", (c) => c.notNull().check(sql`released_by in ('agent', 'destination', 'system')`))
        .addColumn("sip_status", "smallint", (c) => c.check(sql`sip_status between 100 and 699`))
        .addColumn("setup_ms", "integer", (c) => c.check(sql`setup_ms >= 0`))
        .addColumn("talk_ms", "integer", (c) => c.notNull().defaultTo(0).check(sql`talk_ms >= 0`))
        .addUniqueConstraint("agent_call_detail_tenant_call_uq", ["tenant_id", "call_id"])
        .execute();

      await db.schema.createIndex("agent_call_detail_agent_initiated_ix").on("agent_call_detail").columns(["tenant_id", "logon_id", "initiated_at"]).execute();
      await db.schema.createIndex("agent_call_detail_group_initiated_ix").on("agent_call_detail").columns(["tenant_id", "service_group", "initiated_at"]).execute();
      await db.schema.createIndex("agent_call_detail_initiated_ix").on("agent_call_detail").columns(["tenant_id", "initiated_at"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      // Dropping the table drops its indexes on both databases.
      await db.schema.dropTable("agent_call_detail").execute();
    },
  };
}
