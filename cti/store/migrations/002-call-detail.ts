// Call detail records: one call_detail row per service group call (and per group it overflows into), written when
// the call leaves the group (cti/cdr/call-detail-recorder.ts). Indexed for the two report questions: the calls of a group in a time range and
// the calls of an agent in a time range (plus all of a tenant's calls in a range).
import { sql, type Kysely, type Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { columnTypesFor } from "./column-types.js";

export function callDetail(kind: StoreKind): Migration {
  const t = columnTypesFor(kind);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("call_detail")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("tenant_id", "integer", (c) => c.notNull())
        .addColumn("call_id", "varchar(255)", (c) => c.notNull())
        .addColumn("visit", "smallint", (c) => c.notNull().defaultTo(1).check(sql`visit >= 1`))
        .addColumn("service_access", "varchar(64)", (c) => c.notNull())
        .addColumn("service_group", "varchar(64)", (c) => c.notNull())
        .addColumn("dialed_number", "varchar(64)", (c) => c.notNull())
        .addColumn("caller_number", "varchar(64)", (c) => c.notNull())
        .addColumn("caller_name", t.unicodeText(100))
        .addColumn("arrived_at", t.timestamp, (c) => c.notNull())
        .addColumn("answered_at", t.timestamp)
        .addColumn("ended_at", t.timestamp, (c) => c.notNull())
        .addColumn("outcome", "varchar(10)", (c) =>
          c.notNull().check(sql`outcome in ('answered', 'abandoned', 'overflowed', 'closed', 'failed')`),
        )
        .addColumn("logon_id", "varchar(100)")
        .addColumn("extension", "varchar(32)")
        .addColumn("wait_ms", "integer", (c) => c.notNull().defaultTo(0).check(sql`wait_ms >= 0`))
        .addColumn("alerting_ms", "integer", (c) => c.notNull().defaultTo(0).check(sql`alerting_ms >= 0`))
        .addColumn("talk_ms", "integer", (c) => c.notNull().defaultTo(0).check(sql`talk_ms >= 0`))
        .addColumn("clerical_ms", "integer", (c) => c.check(sql`clerical_ms >= 0`))
        .addColumn("offers", "integer", (c) => c.notNull().defaultTo(0).check(sql`offers >= 0`))
        .addColumn("released_by", "varchar(6)", (c) => c.check(sql`released_by in ('caller', 'agent', 'system')`))
        .addUniqueConstraint("call_detail_tenant_call_visit_uq", ["tenant_id", "call_id", "visit"])
        .execute();

      await db.schema.createIndex("call_detail_group_arrived_ix").on("call_detail").columns(["tenant_id", "service_group", "arrived_at"]).execute();
      await db.schema.createIndex("call_detail_agent_arrived_ix").on("call_detail").columns(["tenant_id", "logon_id", "arrived_at"]).execute();
      await db.schema.createIndex("call_detail_arrived_ix").on("call_detail").columns(["tenant_id", "arrived_at"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      // Dropping the table drops its indexes on both databases.
      await db.schema.dropTable("call_detail").execute();
    },
  };
}
