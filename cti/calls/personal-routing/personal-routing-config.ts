// Configuration rules of personal call routing that the per-key schema cannot state: Personal Calls is an option
// of "Voice – Manual Routing" groups only, and such a group's calls wait in its Dispatch queue, not in an
// overflowing ACD queue.
import type { Config } from "../../config/schema.js";

export interface PersonalRoutingConfigProblem {
  path: (string | number)[];
  message: string;
}

/** The manual leaves Maximum Wait Time for Personal Call to the administrator; this is the bridge's default. */
export const DEFAULT_MAX_WAIT_PERSONAL_MS = 60_000;

export function personalRoutingConfigProblems(config: Pick<Config, "serviceGroups">): PersonalRoutingConfigProblem[] {
  const problems: PersonalRoutingConfigProblem[] = [];
  config.serviceGroups.forEach((g, i) => {
    if (g.personalCalls && g.type !== "manualRouting") {
      problems.push({ path: ["serviceGroups", i, "personalCalls"], message: "personalCalls needs type manualRouting (\"Voice – Manual Routing\")" });
    }
    if (g.type === "manualRouting" && g.maxWait > 0) {
      problems.push({ path: ["serviceGroups", i, "maxWait"], message: "a manualRouting group's calls wait in its dispatch queue until an agent picks them: no maxWait" });
    }
  });
  return problems;
}
