// The agent.* actions IVR scripts call. They act on the agent at the calling extension (the From user) through the
// call manager the call came from, as the manual's logon/logoff/ready/not-ready BVDs do.
import type { ActionRegistry } from "../../ivr/actions.js";
import type { PhoneAgentService } from "./phone-agent-service.js";

/** Names of the actions registered below (check-config validates scripts against them without a running daemon). */
export const AGENT_ACTION_NAMES = ["agent.logon", "agent.logoff", "agent.ready", "agent.notReady"] as const;

export function registerAgentActions(actions: ActionRegistry, service: PhoneAgentService): void {
  actions.register("agent.logon", async (args, { facts }) => {
    if (!facts.CALL_MANAGER) return "invalid"; // not from a call manager: no extension to log on at
    const logonId = args.logonId ?? "";
    const pin = args.pin ?? "";
    if (logonId === "" || pin === "") return "invalid";
    return service.logonWithPin({ logonId, pin, extension: facts.ANI, callManagerId: facts.CALL_MANAGER, sourceAddress: facts.SOURCE_ADDRESS });
  });
  actions.register("agent.logoff", async (_args, { facts }) =>
    facts.CALL_MANAGER ? service.logoffAtExtension(facts.CALL_MANAGER, facts.ANI) : "noAgent",
  );
  actions.register("agent.ready", async (_args, { facts }) =>
    facts.CALL_MANAGER ? service.readyAtExtension(facts.CALL_MANAGER, facts.ANI, true) : "noAgent",
  );
  actions.register("agent.notReady", async (_args, { facts }) =>
    facts.CALL_MANAGER ? service.readyAtExtension(facts.CALL_MANAGER, facts.ANI, false) : "noAgent",
  );
}
