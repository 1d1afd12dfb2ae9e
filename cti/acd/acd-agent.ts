// An agent as the dispatcher sees it at logon: who, and which service groups it serves at which skill level.
import type { AgentState } from "../agents/agent-state.js";

export interface AgentSkill {
  readonly groupId: string;
  /** 1-10, higher is preferred (default 1). */
  readonly level?: number;
}

export interface AcdAgent {
  readonly logonId: string;
  /** Groups the agent serves besides those listing it as a member and the "*" groups. Unknown groups are ignored. */
  readonly groups: readonly AgentSkill[];
}

/** States a logged-on agent is in when it cannot take a queued call (everything but idle-ready). */
export type UnavailableState = Exclude<AgentState, "idleReady" | "loggedOff">;
