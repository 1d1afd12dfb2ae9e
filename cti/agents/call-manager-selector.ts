// "Load Balancing for Phone Agents" (manual): an agent logged on through the Open Interface or restored at start-up
// goes to the least used TAS call manager in the site of the requested one, avoiding call managers whose link is
// down. A logon by dialing always uses the call manager the call came through; OAS call managers are never balanced.
import type { CallManagerConfig } from "../config/schema.js";

export interface CallManagerUsage {
  linkState(callManagerId: string): "unknown" | "up" | "down";
  agentCount(callManagerId: string): number;
}

export function leastUsedCallManager(
  requested: CallManagerConfig,
  all: readonly CallManagerConfig[],
  usage: CallManagerUsage,
): CallManagerConfig {
  if (requested.type !== "TAS") return requested;
  const candidates = all.filter((cm) => cm.type === "TAS" && cm.site === requested.site && usage.linkState(cm.id) !== "down");
  if (candidates.length === 0) return requested;
  // Stable choice on ties: the requested one first, then configuration order.
  candidates.sort((a, b) => usage.agentCount(a.id) - usage.agentCount(b.id) || Number(b.id === requested.id) - Number(a.id === requested.id));
  return candidates[0]!;
}

/** The least used TAS call manager of a site (Open Interface logon by site). */
export function leastUsedInSite(site: string, all: readonly CallManagerConfig[], usage: CallManagerUsage): CallManagerConfig | undefined {
  const first = all.find((cm) => cm.site === site && cm.type === "TAS") ?? all.find((cm) => cm.site === site);
  return first ? leastUsedCallManager(first, all, usage) : undefined;
}
