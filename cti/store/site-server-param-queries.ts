// Every query on site_server_param, written once for SQLite and SQL Server (see user-queries.ts).
import type { Kysely } from "kysely";
import type { CallManagerConfig } from "../config/schema.js";
import type { Database } from "./database-schema.js";

type Db = Kysely<Database>;

function columns(tenantId: number, cm: CallManagerConfig) {
  return {
    tenant_id: tenantId,
    name: cm.name,
    site_id: cm.site,
    server_type: cm.type,
    address: cm.host,
    port: cm.port,
    transport: cm.transport,
  };
}

export const siteServerParamQueries = {
  updateByConfigId: (db: Db, tenantId: number, cm: CallManagerConfig) =>
    db.updateTable("site_server_param").set(columns(tenantId, cm)).where("config_id", "=", cm.id),

  insert: (db: Db, tenantId: number, cm: CallManagerConfig) =>
    db.insertInto("site_server_param").values({ config_id: cm.id, ...columns(tenantId, cm) }),

  selectIdsByConfigIds: (db: Db, configIds: string[]) =>
    db.selectFrom("site_server_param").select(["id", "config_id"]).where("config_id", "in", configIds),

  selectAll: (db: Db) =>
    db
      .selectFrom("site_server_param")
      .select(["id", "tenant_id", "config_id", "name", "site_id", "server_type", "address", "port", "transport"])
      .orderBy("id"),
};
