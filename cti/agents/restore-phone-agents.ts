// "Phone Agent Automatic Logon" at start-up: every phone_agent_logon row (also rows inserted by hand) is read,
// priority agents first, and each agent is logged on again at the stored extension with the stored ready state if
// the system option or the user's override says so. Rows are checked, not trusted: an unknown user or call manager,
// a locked account or a user who opted out is skipped with a log line and the row removed.
import type { Logger } from "../log.js";
import type { CallManagerConfig } from "../config/schema.js";
import type { Store } from "../store/open-store.js";
import { leastUsedCallManager, type CallManagerUsage } from "./call-manager-selector.js";
import { restorePolicy, type PhoneAgentService } from "./phone-agent-service.js";

export interface RestoreReport {
  rows: number;
  restored: string[];
  skipped: { agentId: number; reason: string }[];
}

export async function restorePhoneAgents(options: {
  store: Store;
  service: PhoneAgentService;
  callManagers: readonly CallManagerConfig[];
  /** site_server_param row id → configured call manager. */
  callManagerByRowId: ReadonlyMap<number, string>;
  usage: CallManagerUsage;
  logger: Logger;
}): Promise<RestoreReport> {
  const { store, service, logger } = options;
  const rows = await store.phoneAgentLogons.list(); // priority first, then oldest
  const report: RestoreReport = { rows: rows.length, restored: [], skipped: [] };
  if (rows.length === 0) return report;
  logger.info({ rows: rows.length, priority: rows.filter((r) => r.priorityLogon).length }, "restoring phone agents");
  const skip = async (agentId: number, reason: string) => {
    report.skipped.push({ agentId, reason });
    logger.warn({ agentId, reason }, "phone agent not restored");
    await store.phoneAgentLogons.remove(agentId);
  };
  for (const [index, row] of rows.entries()) {
    const user = await store.users.getById(row.agentId);
    if (!user || user.tenantId !== row.tenantId || user.tenantId !== service.settings.tenantId) {
      await skip(row.agentId, "no such user in this tenant");
      continue;
    }
    if (!restorePolicy(user.restoreOption, service.settings.restorePhoneAgents).restore) {
      await skip(row.agentId, `restore is off for ${user.logonId} (user option ${user.restoreOption})`);
      continue;
    }
    if (user.locked) {
      await skip(row.agentId, `account ${user.logonId} is locked`);
      continue;
    }
    const configId = options.callManagerByRowId.get(row.callManagerId);
    const requested = options.callManagers.find((cm) => cm.id === configId);
    if (!requested) {
      await skip(row.agentId, `call manager ${row.callManagerId} is not configured`);
      continue;
    }
    const chosen = leastUsedCallManager(requested, options.callManagers, options.usage);
    try {
      await service.logon(user, row.phoneNum, chosen.id, "restore", row.readyStatus);
      report.restored.push(user.logonId);
      logger.info(
        { logonId: user.logonId, extension: row.phoneNum, callManagerId: chosen.id, ready: row.readyStatus, priority: row.priorityLogon, progress: `${index + 1}/${rows.length}` },
        "phone agent restored",
      );
    } catch (e) {
      await skip(row.agentId, (e as Error).message);
    }
  }
  logger.info({ restored: report.restored.length, skipped: report.skipped.length }, "phone agent restore finished");
  return report;
}
