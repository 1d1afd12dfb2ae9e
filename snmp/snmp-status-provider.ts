// What the SNMP agent and the queue-threshold watcher read from the running daemon. The daemon implements it over
// its agent registry, service-group queues and call-manager links; reads must be cheap (called per SNMP request).
export interface SnmpStatusProvider {
  /** AgentStateName → number of agents in that state (missing states count 0). */
  agentsByState(): Record<string, number>;
  serviceGroups(): { name: string; waiting: number; longestWaitSeconds: number }[];
  callManagerLinks(): { id: string; name: string; state: "unknown" | "up" | "down" }[];
}
