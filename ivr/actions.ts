// Built-in actions a script calls with an `action` block. Each returns an outcome name the script branches on.
import type { CallProfile } from "./blocks/call-profile.js";
import type { CallFacts } from "./ivr-channel.js";

export interface ActionContext {
  readonly facts: Readonly<CallFacts>;
  readonly script: string;
  /** The call's profile (seed 003), for actions that hand the call on with it (queue, deflect with data). */
  readonly profile?: CallProfile;
}

/** Resolves to an outcome name (e.g. "ok", "wrongPin"); throwing is a script error. */
export type ActionHandler = (args: Readonly<Record<string, string>>, context: ActionContext) => Promise<string>;

export class ActionRegistry {
  readonly #handlers = new Map<string, ActionHandler>();

  register(name: string, handler: ActionHandler): this {
    if (this.#handlers.has(name)) throw new Error(`action ${name} registered twice`);
    this.#handlers.set(name, handler);
    return this;
  }

  get(name: string): ActionHandler | undefined {
    return this.#handlers.get(name);
  }

  get names(): ReadonlySet<string> {
    return new Set(this.#handlers.keys());
  }
}
