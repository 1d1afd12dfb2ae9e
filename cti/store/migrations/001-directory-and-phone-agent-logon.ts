// First schema: the user directory (cc_user), call managers (site_server_param) and the phone agent logon state
// (phone_agent_logon, with exactly the manual's columns so customers can fill it by hand).
import { sql, type Kysely, type Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { columnTypesFor } from "./column-types.js";

export function directoryAndPhoneAgentLogon(kind: StoreKind): Migration {
  const t = columnTypesFor(kind);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("cc_user")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("tenant_id", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("logon_id", "varchar(100)", (c) => c.notNull())
        .addColumn("pin_hash", "varchar(200)", (c) => c.notNull())
        .addColumn("first_name", t.unicodeText(100))
        .addColumn("last_name", t.unicodeText(100))
        .addColumn("personal_dn", "varchar(32)")
        .addColumn("phone_agent_logon", "smallint", (c) => c.notNull().defaultTo(0).check(sql`phone_agent_logon between 0 and 3`))
        .addColumn("locked", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", t.timestamp, (c) => c.notNull().defaultTo(t.nowUtc))
        .addColumn("updated_at", t.timestamp, (c) => c.notNull().defaultTo(t.nowUtc))
        .addUniqueConstraint("cc_user_tenant_logon_id_uq", ["tenant_id", "logon_id"])
        .execute();

      await db.schema
        .createTable("site_server_param")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("tenant_id", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("config_id", "varchar(64)", (c) => c.notNull())
        .addColumn("name", t.unicodeText(100), (c) => c.notNull())
        .addColumn("site_id", "varchar(64)", (c) => c.notNull())
        .addColumn("server_type", "varchar(3)", (c) => c.notNull().check(sql`server_type in ('OAS', 'TAS')`))
        .addColumn("address", "varchar(64)", (c) => c.notNull())
        .addColumn("port", "integer", (c) => c.notNull())
        .addColumn("transport", "varchar(3)", (c) => c.notNull().check(sql`transport in ('udp', 'tcp')`))
        .addUniqueConstraint("site_server_param_config_id_uq", ["config_id"])
        .execute();

      await db.schema
        .createTable("phone_agent_logon")
        .addColumn("agent_id", "integer", (c) => c.primaryKey().references("cc_user.id").onDelete("cascade"))
        .addColumn("tenant_id", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("call_manager_id", "integer", (c) => c.notNull().references("site_server_param.id"))
        .addColumn("phone_num", "varchar(32)", (c) => c.notNull())
        .addColumn("ready_status", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("priority_logon", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("time_stamp", t.timestamp, (c) => c.notNull().defaultTo(t.nowUtc))
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("phone_agent_logon").execute();
      await db.schema.dropTable("site_server_param").execute();
      await db.schema.dropTable("cc_user").execute();
    },
  };
}
