// A logged-on agent: who, where (extension at a call manager) and in which state since when.
import type { AgentState } from "./agent-state.js";

export interface Agent {
  readonly userId: number;
  readonly logonId: string;
  readonly extension: string;
  readonly callManagerId: string;
  readonly state: AgentState;
  readonly stateSince: Date;
  readonly loggedOnAt: Date;
  /** Reason given with the last not-ready change, if any. */
  readonly notReadyReason: string | undefined;
}
