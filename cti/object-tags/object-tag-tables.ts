// The object tag tables as Kysely sees them (migration 003). Kept beside the object tag code rather than in
// cti/store/database-schema.ts; the store's Kysely instance is widened with withTables<ObjectTagTables>().
import type { ColumnType, Generated, Kysely } from "kysely";
import type { Database, FlagColumn } from "../store/database-schema.js";

/** Exactly the manual's columns ("OBJECT TAGS"): customers' own SQL and scripts may read it. */
export interface ObjectTagTable {
  id: Generated<number>;
  name: string;
  /** 0..6: number, text, service access, service group, scheduler, agent, play message. */
  type: number;
  tenant_id: number;
  sa_enabled: FlagColumn;
  sg_enabled: FlagColumn;
  agent_enabled: FlagColumn;
  dialednumber_enabled: FlagColumn;
}

/** Exactly the manual's columns; (object_tag_id, object_type, object_id) is the primary key. */
export interface ObjectTagMappingTable {
  object_tag_id: number;
  /** Number and text tags: the value; object tags: the object's id (service group row, agent's cc_user.id, …). */
  object_tag_value: string;
  object_id: number;
  /** 0x0200 service group, 0x0400 service access, 0x1000 agent, 0x100000 dialed number. */
  object_type: number;
}

export interface DialedNumberTable {
  id: Generated<number>;
  tenant_id: number;
  number: string;
}

/** A configured service group or service access as a row, so object_id can refer to it. */
export interface ConfiguredObjectTable {
  id: Generated<number>;
  tenant_id: number;
  config_id: string;
  name: ColumnType<string | null, string | null | undefined, string | null>;
}

// A type, not an interface: withTables<T>() needs an index-signature-compatible record.
export type ObjectTagTables = {
  object_tag: ObjectTagTable;
  object_tag_mapping: ObjectTagMappingTable;
  dialed_number: DialedNumberTable;
  service_group: ConfiguredObjectTable;
  service_access: ConfiguredObjectTable;
};

export type ObjectTagDb = Kysely<Database & ObjectTagTables>;
