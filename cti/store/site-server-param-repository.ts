// Call managers as database rows (site_server_param), so phone_agent_logon.call_manager_id has something to refer
// to, as in MiCC. The YAML configuration is the source of truth; sync() copies it in at startup and returns the row
// id for each configured call manager. Rows of call managers no longer configured are kept: a stored logon may
// still refer to them and ids must never be reused.
import type { Kysely } from "kysely";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import type { Database } from "./database-schema.js";
import { siteServerParamQueries } from "./site-server-param-queries.js";
import { updateOrInsert } from "./upsert.js";

export interface CallManagerRow {
  id: number;
  tenantId: number;
  configId: string;
  name: string;
  siteId: string;
  serverType: "OAS" | "TAS";
  address: string;
  port: number;
  transport: "udp" | "tcp";
}

export interface SiteServerParamRepository {
  /** Upsert by config_id; returns config id → row id for every given call manager. */
  sync(tenantId: number, callManagers: CallManagerConfig[]): Promise<Map<string, number>>;
  /** Ordered by id. */
  list(): Promise<CallManagerRow[]>;
}

export class SqlSiteServerParamRepository implements SiteServerParamRepository {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  async sync(tenantId: number, callManagers: CallManagerConfig[]): Promise<Map<string, number>> {
    if (callManagers.length === 0) return new Map();
    const ids = await this.#db.transaction().execute(async (tx) => {
      for (const cm of callManagers) {
        await updateOrInsert(
          async () => (await siteServerParamQueries.updateByConfigId(tx, tenantId, cm).executeTakeFirst()).numUpdatedRows,
          () => siteServerParamQueries.insert(tx, tenantId, cm).execute(),
        );
      }
      return siteServerParamQueries.selectIdsByConfigIds(tx, callManagers.map((cm) => cm.id)).execute();
    });
    const map = new Map(ids.map((r) => [r.config_id, Number(r.id)]));
    for (const cm of callManagers) {
      if (!map.has(cm.id)) throw new CtiError(Errors.INTERNAL, `call manager ${cm.id} was not stored`);
    }
    this.#logger.debug({ callManagers: Object.fromEntries(map) }, "call managers synchronised to site_server_param");
    return map;
  }

  async list(): Promise<CallManagerRow[]> {
    const rows = await siteServerParamQueries.selectAll(this.#db).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: Number(r.tenant_id),
      configId: r.config_id,
      name: r.name,
      siteId: r.site_id,
      serverType: r.server_type === "OAS" ? "OAS" : "TAS",
      address: r.address,
      port: Number(r.port),
      transport: r.transport === "tcp" ? "tcp" : "udp",
    }));
  }
}
