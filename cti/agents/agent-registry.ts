// The logged-on agents, indexed by logon ID and by extension at a call manager. All state changes go through
// transition(), which checks the move, records it and publishes it on the bus.
import type { EventBus } from "../events/event-bus.js";
import { CtiError, Errors } from "../errors.js";
import type { Agent } from "./agent.js";
import { assertTransition, type AgentState } from "./agent-state.js";

const extensionKey = (callManagerId: string, extension: string) => `${callManagerId}\u0000${extension}`;

export class AgentRegistry {
  readonly #byLogonId = new Map<string, Agent>();
  readonly #byExtension = new Map<string, Agent>();
  readonly #bus: EventBus;

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  get(logonId: string): Agent | undefined {
    return this.#byLogonId.get(logonId);
  }

  atExtension(callManagerId: string, extension: string): Agent | undefined {
    return this.#byExtension.get(extensionKey(callManagerId, extension));
  }

  all(): Agent[] {
    return [...this.#byLogonId.values()];
  }

  get size(): number {
    return this.#byLogonId.size;
  }

  countByState(): Record<AgentState, number> {
    const counts: Record<AgentState, number> = {
      loggedOff: 0, idleReady: 0, idleNotReady: 0, reserved: 0, talking: 0, callWaiting: 0, callback: 0, clerical: 0,
    };
    for (const agent of this.#byLogonId.values()) counts[agent.state]++;
    return counts;
  }

  countOnCallManager(callManagerId: string): number {
    let n = 0;
    for (const agent of this.#byLogonId.values()) if (agent.callManagerId === callManagerId) n++;
    return n;
  }

  /** Adds a logged-off agent in its first state. The caller has already logged off whoever held the place. */
  add(agent: Omit<Agent, "state" | "stateSince" | "loggedOnAt" | "notReadyReason">, state: "idleReady" | "idleNotReady"): Agent {
    if (this.#byLogonId.has(agent.logonId)) throw new CtiError(Errors.AGENT_STATE, `${agent.logonId} is already logged on`);
    const key = extensionKey(agent.callManagerId, agent.extension);
    if (this.#byExtension.has(key)) throw new CtiError(Errors.AGENT_STATE, `extension ${agent.extension} already has an agent`);
    const now = new Date();
    const added: Agent = { ...agent, state, stateSince: now, loggedOnAt: now, notReadyReason: undefined };
    this.#byLogonId.set(added.logonId, added);
    this.#byExtension.set(key, added);
    this.#bus.safeEmit("agent.stateChanged", { logonId: added.logonId, extension: added.extension, from: "loggedOff", to: state });
    return added;
  }

  /**
   * Call manager failover: the agent is now reached through another call manager, at the same extension and in the
   * same state. Not a state change, so nothing is published.
   */
  moveToCallManager(logonId: string, callManagerId: string): Agent {
    const agent = this.#byLogonId.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    const key = extensionKey(callManagerId, agent.extension);
    const holder = this.#byExtension.get(key);
    if (holder && holder.logonId !== logonId) {
      throw new CtiError(Errors.AGENT_STATE, `extension ${agent.extension} already has agent ${holder.logonId} at ${callManagerId}`);
    }
    const moved: Agent = { ...agent, callManagerId };
    this.#byExtension.delete(extensionKey(agent.callManagerId, agent.extension));
    this.#byExtension.set(key, moved);
    this.#byLogonId.set(logonId, moved);
    return moved;
  }

  transition(logonId: string, to: AgentState, reason?: string): Agent {
    const agent = this.#byLogonId.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    assertTransition(agent.state, to);
    const key = extensionKey(agent.callManagerId, agent.extension);
    const changed: Agent = { ...agent, state: to, stateSince: new Date(), notReadyReason: to === "idleNotReady" ? reason : undefined };
    if (to === "loggedOff") {
      this.#byLogonId.delete(logonId);
      this.#byExtension.delete(key);
    } else {
      this.#byLogonId.set(logonId, changed);
      this.#byExtension.set(key, changed);
    }
    this.#bus.safeEmit("agent.stateChanged", { logonId, extension: agent.extension, from: agent.state, to, ...(reason ? { reason } : {}) });
    return changed;
  }
}
