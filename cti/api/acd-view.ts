// What the Open Interface shows of the ACD: calls in the queues and at agents, and each service group's figures.
// The daemon implements AcdView over the ACD core; the API only reads it.
import type { AgentState } from "../agents/agent-state.js";

export interface CallView {
  callId: string;
  /** The BVD the caller dialed. */
  dialed: string;
  caller: { number: string; name?: string };
  serviceAccess: string;
  serviceGroup: string;
  /** queued, ringing (an agent's phone), talking; a call an agent makes is "dialing" while the destination rings. */
  state: "queued" | "ringing" | "dialing" | "talking" | "authenticating" | "routed";
  /** outbound: a call an agent made (MakeCall): `dialed` is the destination, serviceAccess is "". */
  direction?: "inbound" | "outbound";
  /** 1-based place in the group's queue while queued. */
  position?: number;
  /** The agent ringing or talking. */
  logonId?: string;
  extension?: string;
  arrivedAt: string;
  answeredAt?: string;
  waitMs: number;
  /** A caller returned from customer authentication: the associated data delivered to the agent. */
  associatedData?: string;
}

export interface ServiceGroupView {
  id: string;
  name: string;
  open: boolean;
  waiting: number;
  longestWaitSeconds: number;
  estimatedWaitSeconds: number;
  /** The group's agents per state. */
  agents: Record<AgentState, number>;
}

export interface AcdView {
  /** Every call the ACD holds, queued ones in queue order. */
  calls(): CallView[];
  /** Every service group, in configuration order. */
  serviceGroups(): ServiceGroupView[];
}
