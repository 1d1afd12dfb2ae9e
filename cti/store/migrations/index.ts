// Every migration, in order, defined in code (not read from a folder) so they run from dist/ and from a bundle.
// Names sort in application order; never rename or edit one that has shipped, add a new one.
import type { Migration } from "kysely";
import type { StoreKind } from "../database-schema.js";
import { directoryAndPhoneAgentLogon } from "./001-directory-and-phone-agent-logon.js";
import { callDetail } from "./002-call-detail.js";
import { objectTags } from "./003-object-tags.js";
import { personalCallRouting } from "./004-personal-call-routing.js";
import { agentCallDetail } from "./005-agent-call-detail.js";

export function migrationsFor(kind: StoreKind): Record<string, Migration> {
  return {
    "001-directory-and-phone-agent-logon": directoryAndPhoneAgentLogon(kind),
    "002-call-detail": callDetail(kind),
    "003-object-tags": objectTags(kind),
    "004-personal-call-routing": personalCallRouting(kind),
    "005-agent-call-detail": agentCallDetail(kind),
  };
}

export const MIGRATION_TABLE = "ctibridge_migration";
export const MIGRATION_LOCK_TABLE = "ctibridge_migration_lock";
