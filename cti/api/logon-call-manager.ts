// Which call manager an Open Interface logon goes to ("Load Balancing for Phone Agents"): the least used TAS call
// manager of the requested call manager's site, of the requested site, or of the first configured call manager's
// site when the request names neither.
import type { CallManagerConfig } from "../config/schema.js";
import type { Agent } from "../agents/agent.js";
import { leastUsedCallManager, leastUsedInSite, type CallManagerUsage } from "../agents/call-manager-selector.js";
import { CtiError, Errors } from "../errors.js";

export interface LogonPlace {
  callManager?: string;
  site?: string;
}

export function callManagerForLogon(place: LogonPlace, all: readonly CallManagerConfig[], usage: CallManagerUsage): CallManagerConfig {
  if (place.callManager !== undefined && place.site !== undefined) {
    throw new CtiError(Errors.BAD_REQUEST, "give callManager or site, not both");
  }
  if (place.callManager !== undefined) {
    const requested = all.find((cm) => cm.id === place.callManager);
    if (!requested) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, place.callManager);
    return leastUsedCallManager(requested, all, usage);
  }
  if (place.site !== undefined) {
    const chosen = leastUsedInSite(place.site, all, usage);
    if (!chosen) throw new CtiError(Errors.SITE_UNKNOWN, place.site);
    return chosen;
  }
  const first = all[0];
  if (!first) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, "no call manager is configured");
  return leastUsedCallManager(first, all, usage);
}

/**
 * Usage as if `agent` were not logged on: an agent logging on again must not count against its own call manager,
 * or repeated logons would bounce it between two call managers.
 */
export function usageWithout(agent: Agent | undefined, usage: CallManagerUsage): CallManagerUsage {
  if (!agent) return usage;
  return {
    linkState: (id) => usage.linkState(id),
    agentCount: (id) => usage.agentCount(id) - (id === agent.callManagerId ? 1 : 0),
  };
}
