// Every query on the object tag tables, written once for SQLite and SQL Server. Each returns an unexecuted builder so
// the T-SQL it compiles to can be snapshot-tested without a server (test/object-tags/object-tag-tsql.test.ts).
// No LIMIT, ON CONFLICT or RETURNING: those do not exist in T-SQL.
import type { ObjectTagDb } from "./object-tag-tables.js";

type Db = ObjectTagDb;

const TAG_COLUMNS = ["id", "name", "type", "tenant_id", "sa_enabled", "sg_enabled", "agent_enabled", "dialednumber_enabled"] as const;

export interface ObjectTagRowValues {
  tenantId: number;
  name: string;
  type: number;
  sa: 0 | 1;
  sg: 0 | 1;
  agent: 0 | 1;
  dialedNumber: 0 | 1;
}

export type ConfiguredObjectTableName = "service_group" | "service_access";

export const objectTagQueries = {
  selectByTenant: (db: Db, tenantId: number) =>
    db.selectFrom("object_tag").select(TAG_COLUMNS).where("tenant_id", "=", tenantId).orderBy("name").orderBy("type").orderBy("id"),

  selectById: (db: Db, tenantId: number, id: number) =>
    db.selectFrom("object_tag").select(TAG_COLUMNS).where("tenant_id", "=", tenantId).where("id", "=", id),

  selectByName: (db: Db, tenantId: number, name: string) =>
    db.selectFrom("object_tag").select(TAG_COLUMNS).where("tenant_id", "=", tenantId).where("name", "=", name).orderBy("type"),

  countByTenant: (db: Db, tenantId: number) =>
    db.selectFrom("object_tag").select((eb) => eb.fn.countAll<number>().as("tags")).where("tenant_id", "=", tenantId),

  insert: (db: Db, v: ObjectTagRowValues) =>
    db.insertInto("object_tag").values({
      tenant_id: v.tenantId,
      name: v.name,
      type: v.type,
      sa_enabled: v.sa,
      sg_enabled: v.sg,
      agent_enabled: v.agent,
      dialednumber_enabled: v.dialedNumber,
    }),

  updateAllowed: (db: Db, tenantId: number, id: number, v: Pick<ObjectTagRowValues, "sa" | "sg" | "agent" | "dialedNumber">) =>
    db
      .updateTable("object_tag")
      .set({ sa_enabled: v.sa, sg_enabled: v.sg, agent_enabled: v.agent, dialednumber_enabled: v.dialedNumber })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id),

  delete: (db: Db, tenantId: number, id: number) => db.deleteFrom("object_tag").where("tenant_id", "=", tenantId).where("id", "=", id),
};

export const objectTagMappingQueries = {
  selectByTag: (db: Db, tagId: number) =>
    db
      .selectFrom("object_tag_mapping")
      .select(["object_tag_id", "object_tag_value", "object_id", "object_type"])
      .where("object_tag_id", "=", tagId)
      .orderBy("object_type")
      .orderBy("object_id"),

  /** How many objects of one type carry the tag (an object type in use cannot be un-allowed). */
  countByTagAndType: (db: Db, tagId: number, objectType: number) =>
    db
      .selectFrom("object_tag_mapping")
      .select((eb) => eb.fn.countAll<number>().as("assigned"))
      .where("object_tag_id", "=", tagId)
      .where("object_type", "=", objectType),

  updateValue: (db: Db, tagId: number, objectType: number, objectId: number, value: string) =>
    db
      .updateTable("object_tag_mapping")
      .set({ object_tag_value: value })
      .where("object_tag_id", "=", tagId)
      .where("object_type", "=", objectType)
      .where("object_id", "=", objectId),

  insert: (db: Db, tagId: number, objectType: number, objectId: number, value: string) =>
    db.insertInto("object_tag_mapping").values({ object_tag_id: tagId, object_type: objectType, object_id: objectId, object_tag_value: value }),

  delete: (db: Db, tagId: number, objectType: number, objectId: number) =>
    db
      .deleteFrom("object_tag_mapping")
      .where("object_tag_id", "=", tagId)
      .where("object_type", "=", objectType)
      .where("object_id", "=", objectId),

  deleteByTag: (db: Db, tagId: number) => db.deleteFrom("object_tag_mapping").where("object_tag_id", "=", tagId),

  deleteByObject: (db: Db, objectType: number, objectId: number) =>
    db.deleteFrom("object_tag_mapping").where("object_type", "=", objectType).where("object_id", "=", objectId),

  /** Every tag of the tenant one object carries, with its value. */
  selectByObject: (db: Db, tenantId: number, objectType: number, objectId: number) =>
    db
      .selectFrom("object_tag_mapping as m")
      .innerJoin("object_tag as t", "t.id", "m.object_tag_id")
      .select(["t.id", "m.object_tag_value"])
      .where("t.tenant_id", "=", tenantId)
      .where("m.object_type", "=", objectType)
      .where("m.object_id", "=", objectId),

  /** The value of the tenant's tag(s) of this name for one object; one row per tag type carrying the name. */
  valueForObject: (db: Db, tenantId: number, tagName: string, objectType: number, objectId: number) =>
    db
      .selectFrom("object_tag_mapping as m")
      .innerJoin("object_tag as t", "t.id", "m.object_tag_id")
      .select(["t.id", "t.type", "m.object_tag_value"])
      .where("t.tenant_id", "=", tenantId)
      .where("t.name", "=", tagName)
      .where("m.object_type", "=", objectType)
      .where("m.object_id", "=", objectId)
      .orderBy("t.type"),
};

export const dialedNumberQueries = {
  selectByTenant: (db: Db, tenantId: number) =>
    db.selectFrom("dialed_number").select(["id", "tenant_id", "number"]).where("tenant_id", "=", tenantId).orderBy("number").orderBy("id"),

  selectByNumber: (db: Db, tenantId: number, number: string) =>
    db.selectFrom("dialed_number").select(["id", "tenant_id", "number"]).where("tenant_id", "=", tenantId).where("number", "=", number),

  selectById: (db: Db, tenantId: number, id: number) =>
    db.selectFrom("dialed_number").select(["id", "tenant_id", "number"]).where("tenant_id", "=", tenantId).where("id", "=", id),

  insert: (db: Db, tenantId: number, number: string) => db.insertInto("dialed_number").values({ tenant_id: tenantId, number }),

  delete: (db: Db, tenantId: number, id: number) => db.deleteFrom("dialed_number").where("tenant_id", "=", tenantId).where("id", "=", id),
};

export const configuredObjectQueries = {
  selectByConfigId: (db: Db, table: ConfiguredObjectTableName, tenantId: number, configId: string) =>
    db.selectFrom(table).select(["id", "config_id", "name"]).where("tenant_id", "=", tenantId).where("config_id", "=", configId),

  selectById: (db: Db, table: ConfiguredObjectTableName, tenantId: number, id: number) =>
    db.selectFrom(table).select(["id", "config_id", "name"]).where("tenant_id", "=", tenantId).where("id", "=", id),

  insert: (db: Db, table: ConfiguredObjectTableName, tenantId: number, configId: string, name: string | null) =>
    db.insertInto(table).values({ tenant_id: tenantId, config_id: configId, name }),
};
