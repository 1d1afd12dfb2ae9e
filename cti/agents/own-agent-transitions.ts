// Agent state changes a component makes itself (the ACD reserving an agent, MakeCall returning it to idle), so the
// same component's bus listener can tell its own changes from everyone else's (an integration logging the agent off
// while its phone rings).
import type { AgentRegistry } from "./agent-registry.js";
import type { AgentState } from "./agent-state.js";

export class OwnAgentTransitions {
  readonly #registry: AgentRegistry;
  readonly #own = new Set<string>();

  constructor(registry: AgentRegistry) {
    this.#registry = registry;
  }

  /** Changes the agent's state through the registry (which publishes it), marked as this component's. */
  transition(logonId: string, to: AgentState, reason?: string): void {
    this.#own.add(logonId);
    try {
      this.#registry.transition(logonId, to, reason);
    } finally {
      this.#own.delete(logonId);
    }
  }

  /** Marks the state changes an asynchronous operation makes (e.g. a forced not ready) as this component's. */
  async during<T>(logonId: string, operation: () => Promise<T>): Promise<T> {
    this.#own.add(logonId);
    try {
      return await operation();
    } finally {
      this.#own.delete(logonId);
    }
  }

  isOwn(logonId: string): boolean {
    return this.#own.has(logonId);
  }
}
