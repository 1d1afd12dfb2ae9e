// Personal call routing (manual: "Configuration of Personal Call Routing"): each user's Default Destination for
// personal calls, and whether the user may take calls from the Dispatch queue (the Dispatch privilege; without it
// personal calls follow "Personal Call Routing Without Dispatch"). NULL means the privilege is held, so existing
// users keep it; no column default, so down() needs no named constraint on SQL Server.
import type { Kysely, Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { columnTypesFor } from "./column-types.js";

export function personalCallRouting(kind: StoreKind): Migration {
  const t = columnTypesFor(kind);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("cc_user").addColumn("personal_default_destination", "varchar(32)").execute();
      await db.schema.alterTable("cc_user").addColumn("dispatch_privilege", t.flag).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("cc_user").dropColumn("dispatch_privilege").execute();
      await db.schema.alterTable("cc_user").dropColumn("personal_default_destination").execute();
    },
  };
}
