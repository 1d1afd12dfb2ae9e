// Service groups and service accesses are defined in the YAML configuration by name; object_tag_mapping needs an
// int id for them. Each gets a row (service_group, service_access) the first time a tag refers to it, and keeps
// that id for good: a group removed from the configuration and added back finds its tags again.
import type { ObjectTagDb } from "./object-tag-tables.js";
import { configuredObjectQueries, type ConfiguredObjectTableName } from "./object-tag-queries.js";
import { updateOrInsert } from "../store/upsert.js";

export type ConfiguredObjectType = "serviceGroup" | "serviceAccess";

const TABLES: Record<ConfiguredObjectType, ConfiguredObjectTableName> = { serviceGroup: "service_group", serviceAccess: "service_access" };

export class ConfiguredObjectRepository {
  readonly #db: ObjectTagDb;

  constructor(db: ObjectTagDb) {
    this.#db = db;
  }

  /** The row id of a configured object, or undefined when no tag has referred to it yet. */
  async idOf(type: ConfiguredObjectType, tenantId: number, configId: string): Promise<number | undefined> {
    const row = await configuredObjectQueries.selectByConfigId(this.#db, TABLES[type], tenantId, configId).executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** The row id, made when there is none yet. */
  async ensureId(type: ConfiguredObjectType, tenantId: number, configId: string, name: string | null): Promise<number> {
    const table = TABLES[type];
    await updateOrInsert(
      async () => ((await this.idOf(type, tenantId, configId)) === undefined ? 0n : 1n),
      () => configuredObjectQueries.insert(this.#db, table, tenantId, configId, name).execute(),
    );
    return (await this.idOf(type, tenantId, configId))!;
  }

  /** The configuration id (serviceGroups[].id, serviceAccesses[].id) of a row id. */
  async configIdOf(type: ConfiguredObjectType, tenantId: number, id: number): Promise<string | undefined> {
    const row = await configuredObjectQueries.selectById(this.#db, TABLES[type], tenantId, id).executeTakeFirst();
    return row?.config_id;
  }
}
