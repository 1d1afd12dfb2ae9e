// Object tags ("OBJECT TAGS"): object_tag and object_tag_mapping with exactly the manual's columns, the tenant's
// dialed numbers, and the configured service groups and service accesses as rows, so object_tag_mapping.object_id
// (an int in the manual) has something to refer to for objects the YAML configuration defines (as site_server_param
// does for call managers). Agents are cc_user rows already.
import { sql, type Kysely, type Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { columnTypesFor } from "./column-types.js";

export function objectTags(kind: StoreKind): Migration {
  const t = columnTypesFor(kind);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("object_tag")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("name", t.unicodeText(100), (c) => c.notNull())
        // Number, Text, Service Access, Service Group, Scheduler, Agent, Play message: 0..6 (cti/object-tags/object-tag-types.ts).
        .addColumn("type", "integer", (c) => c.notNull().check(sql`type between 0 and 6`))
        .addColumn("tenant_id", "integer", (c) => c.notNull())
        .addColumn("sa_enabled", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("sg_enabled", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("agent_enabled", t.flag, (c) => c.notNull().defaultTo(0))
        .addColumn("dialednumber_enabled", t.flag, (c) => c.notNull().defaultTo(0))
        // "The same tenant cannot have identifiers with the same name and type."
        .addUniqueConstraint("object_tag_tenant_name_type_uq", ["tenant_id", "name", "type"])
        .execute();

      await db.schema
        .createTable("object_tag_mapping")
        .addColumn("object_tag_id", "integer", (c) => c.notNull().references("object_tag.id").onDelete("cascade"))
        .addColumn("object_tag_value", t.unicodeText(100), (c) => c.notNull())
        .addColumn("object_id", "integer", (c) => c.notNull())
        .addColumn("object_type", "integer", (c) => c.notNull().check(sql`object_type in (512, 1024, 4096, 1048576)`))
        // "The combination of object_tag_id, object_type and object_id must be unique."
        .addPrimaryKeyConstraint("object_tag_mapping_pk", ["object_tag_id", "object_type", "object_id"])
        .execute();
      // Scripts ask "the value of tag T for this object": by object first.
      await db.schema.createIndex("object_tag_mapping_object_ix").on("object_tag_mapping").columns(["object_type", "object_id"]).execute();

      await db.schema
        .createTable("dialed_number")
        .addColumn("id", "integer", t.identityPrimaryKey)
        .addColumn("tenant_id", "integer", (c) => c.notNull())
        // "can contain any character and may be up to 50 characters long"
        .addColumn("number", t.unicodeText(50), (c) => c.notNull())
        // "Dialed Numbers must be unique within a tenant"
        .addUniqueConstraint("dialed_number_tenant_number_uq", ["tenant_id", "number"])
        .execute();

      for (const table of ["service_group", "service_access"]) {
        await db.schema
          .createTable(table)
          .addColumn("id", "integer", t.identityPrimaryKey)
          .addColumn("tenant_id", "integer", (c) => c.notNull())
          // The id in the YAML configuration (serviceGroups[].id, serviceAccesses[].id).
          .addColumn("config_id", "varchar(64)", (c) => c.notNull())
          .addColumn("name", t.unicodeText(100))
          .addUniqueConstraint(`${table}_tenant_config_id_uq`, ["tenant_id", "config_id"])
          .execute();
      }
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("service_access").execute();
      await db.schema.dropTable("service_group").execute();
      await db.schema.dropTable("dialed_number").execute();
      await db.schema.dropTable("object_tag_mapping").execute();
      await db.schema.dropTable("object_tag").execute();
    },
  };
}
