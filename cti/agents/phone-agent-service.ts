// Phone agents: logon with agent ID and PIN (by dialing), logon without PIN (API, restore), logoff, ready and not
// ready, and the phone_agent_logon rows that let agents be restored after a restart (manual, "Database Handling":
// written on logon and ready changes when restore applies to the user, removed on logoff).
import type { Logger } from "../log.js";
import type { EventBus, AgentLogonEvent, AgentLogoffEvent } from "../events/event-bus.js";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { Store, User, RestoreOption } from "../store/open-store.js";
import type { Agent } from "./agent.js";
import type { AgentRegistry } from "./agent-registry.js";
import { isReadyState } from "./agent-state.js";
import { KeyedMutex } from "./keyed-mutex.js";

export interface PhoneAgentSettings {
  tenantId: number;
  /** Tenant system property "Automatically Restore Logon Status After Restart". */
  restorePhoneAgents: boolean;
  lockoutThreshold: number;
  stateAfterLogon: "ready" | "notReady";
}

export interface PhoneAgentServiceOptions {
  store: Store;
  registry: AgentRegistry;
  bus: EventBus;
  logger: Logger;
  settings: PhoneAgentSettings;
  callManagers: readonly CallManagerConfig[];
  /** site_server_param row id of each configured call manager. */
  callManagerRowIds: ReadonlyMap<string, number>;
}

export type PinLogonOutcome = "ok" | "invalid" | "locked";
export type ExtensionOutcome = "ok" | "noAgent";

/** Whether an agent's logon is kept in phone_agent_logon, and with priority. */
export function restorePolicy(option: RestoreOption, systemRestores: boolean): { restore: boolean; priority: boolean } {
  switch (option) {
    case "always":
      return { restore: true, priority: false };
    case "priority":
      return { restore: true, priority: true };
    case "never":
      return { restore: false, priority: false };
    case "system":
    default:
      return { restore: systemRestores, priority: false };
  }
}

export class PhoneAgentService {
  readonly #o: PhoneAgentServiceOptions;
  readonly #mutex = new KeyedMutex();

  constructor(options: PhoneAgentServiceOptions) {
    this.#o = options;
  }

  get settings(): PhoneAgentSettings {
    return this.#o.settings;
  }

  /** Logon by dialing: checks the PIN (counting failures and locking at the threshold), then logs on. */
  async logonWithPin(input: { logonId: string; pin: string; extension: string; callManagerId: string; sourceAddress: string }): Promise<PinLogonOutcome> {
    const { store, settings, bus, logger } = this.#o;
    const check = await store.users.verifyPin(settings.tenantId, input.logonId, input.pin, settings.lockoutThreshold);
    if (!check.ok) {
      const where = { logonId: input.logonId, extension: input.extension, sourceAddress: input.sourceAddress };
      bus.safeEmit("agent.logonFailed", { ...where, reason: check.reason });
      if (check.lockedNow) {
        logger.warn({ ...where, failedAttempts: check.failedAttempts }, "account locked after too many failed PIN attempts");
        bus.safeEmit("agent.lockedOut", { ...where, failedAttempts: check.failedAttempts ?? settings.lockoutThreshold });
        return "locked";
      }
      logger.info({ ...where, reason: check.reason, failedAttempts: check.failedAttempts }, "phone agent logon failed");
      return check.reason === "locked" ? "locked" : "invalid";
    }
    await this.logon(check.user, input.extension, input.callManagerId, "dial");
    return "ok";
  }

  /**
   * Logs a user on at an extension without a PIN (already checked, or API / restore). An agent logged on elsewhere
   * is moved; another agent at the same extension is logged off.
   */
  logon(user: User, extension: string, callManagerId: string, via: AgentLogonEvent["via"], ready?: boolean): Promise<Agent> {
    return this.#mutex.run(user.logonId, async () => {
      const { registry, bus, logger, settings } = this.#o;
      if (user.locked) throw new CtiError(Errors.USER_LOCKED, user.logonId);
      this.#callManager(callManagerId);
      const current = registry.get(user.logonId);
      if (current) {
        if (current.extension === extension && current.callManagerId === callManagerId) {
          // Logging on again where already logged on: keep the agent, just confirm (and apply the ready wish).
          if (ready !== undefined && isReadyState(current.state) !== ready && (current.state === "idleReady" || current.state === "idleNotReady")) {
            registry.transition(user.logonId, ready ? "idleReady" : "idleNotReady");
          }
          await this.#saveRestoreRow(user, registry.get(user.logonId)!);
          return registry.get(user.logonId)!;
        }
        this.#logoffNow(current, "moved");
      }
      const occupant = registry.atExtension(callManagerId, extension);
      if (occupant) {
        this.#logoffNow(occupant, "replaced");
        await this.#o.store.phoneAgentLogons.remove(occupant.userId);
      }
      const readyNow = ready ?? settings.stateAfterLogon === "ready";
      const agent = registry.add({ userId: user.id, logonId: user.logonId, extension, callManagerId }, readyNow ? "idleReady" : "idleNotReady");
      logger.info({ logonId: user.logonId, extension, callManagerId, via, state: agent.state }, "phone agent logged on");
      bus.safeEmit("agent.logon", { logonId: user.logonId, extension, callManagerId, via });
      await this.#saveRestoreRow(user, agent);
      return agent;
    });
  }

  logoff(logonId: string, via: AgentLogoffEvent["via"]): Promise<void> {
    return this.#mutex.run(logonId, async () => {
      const agent = this.#o.registry.get(logonId);
      if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
      this.#logoffNow(agent, via);
      await this.#o.store.phoneAgentLogons.remove(agent.userId);
    });
  }

  setReady(logonId: string): Promise<Agent> {
    return this.#changeReady(logonId, true);
  }

  setNotReady(logonId: string, reason?: string): Promise<Agent> {
    return this.#changeReady(logonId, false, reason);
  }

  /** Ring time supervision: an agent who let an offered call ring out (or refused it) is made not ready. */
  forceNotReady(logonId: string, reason: string): Promise<Agent> {
    return this.#changeReady(logonId, false, reason, true);
  }

  /**
   * Call manager failover: the agent is reached through another call manager from now on, at the same extension and
   * in the same state; a call in progress is not touched. Not a logoff and logon (no agent.logoff / agent.logon).
   * The restore row points at the new call manager. With `onlyFrom`, an agent that meanwhile logged on through
   * another call manager is left where it is. Resolves with the agent as it is now.
   */
  moveToCallManager(logonId: string, callManagerId: string, onlyFrom?: string): Promise<Agent> {
    return this.#mutex.run(logonId, async () => {
      const { registry, store, settings, logger } = this.#o;
      this.#callManager(callManagerId);
      const agent = registry.get(logonId);
      if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
      if (agent.callManagerId === callManagerId || (onlyFrom !== undefined && agent.callManagerId !== onlyFrom)) return agent;
      const moved = registry.moveToCallManager(logonId, callManagerId);
      logger.info({ logonId, extension: agent.extension, from: agent.callManagerId, to: callManagerId, state: agent.state }, "phone agent moved to another call manager");
      const user = await store.users.getById(agent.userId);
      // Only idle-ready agents are offered calls, so an agent with a call (or in wrap-up) was ready: keep that.
      if (user && user.tenantId === settings.tenantId) await this.#saveRestoreRow(user, moved, moved.state !== "idleNotReady");
      return moved;
    });
  }

  async logoffAtExtension(callManagerId: string, extension: string): Promise<ExtensionOutcome> {
    const agent = this.#o.registry.atExtension(callManagerId, extension);
    if (!agent) return "noAgent";
    await this.logoff(agent.logonId, "dial");
    return "ok";
  }

  async readyAtExtension(callManagerId: string, extension: string, ready: boolean): Promise<ExtensionOutcome> {
    const agent = this.#o.registry.atExtension(callManagerId, extension);
    if (!agent) return "noAgent";
    await (ready ? this.setReady(agent.logonId) : this.setNotReady(agent.logonId));
    return "ok";
  }

  #changeReady(logonId: string, ready: boolean, reason?: string, offerFailed = false): Promise<Agent> {
    return this.#mutex.run(logonId, async () => {
      const { registry, store, settings } = this.#o;
      const agent = registry.get(logonId);
      if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
      // Ready and not ready change an idle agent, or end wrap-up early; an agent with a call keeps it undisturbed.
      const allowed = offerFailed ? agent.state === "reserved" : agent.state === "idleReady" || agent.state === "idleNotReady" || agent.state === "clerical";
      if (!allowed) {
        throw new CtiError(Errors.AGENT_STATE, `${logonId} is ${agent.state}; ready and not ready apply when idle or in wrap-up`);
      }
      const target = ready ? "idleReady" : "idleNotReady";
      // Already there: a not-ready with a new reason still records the reason.
      const changed = agent.state === target && (ready || reason === agent.notReadyReason) ? agent : registry.transition(logonId, target, reason);
      const user = await store.users.getById(agent.userId);
      if (user && user.tenantId === settings.tenantId) await this.#saveRestoreRow(user, changed);
      return changed;
    });
  }

  #logoffNow(agent: Agent, via: AgentLogoffEvent["via"]): void {
    this.#o.registry.transition(agent.logonId, "loggedOff");
    this.#o.logger.info({ logonId: agent.logonId, extension: agent.extension, callManagerId: agent.callManagerId, via }, "phone agent logged off");
    this.#o.bus.safeEmit("agent.logoff", { logonId: agent.logonId, extension: agent.extension, callManagerId: agent.callManagerId, via });
  }

  /** Writes or removes the agent's phone_agent_logon row per the system option and the user's override, read now. */
  async #saveRestoreRow(user: User, agent: Agent, readyStatus = isReadyState(agent.state)): Promise<void> {
    const { store, settings } = this.#o;
    const policy = restorePolicy(user.restoreOption, settings.restorePhoneAgents);
    if (!policy.restore) {
      await store.phoneAgentLogons.remove(user.id);
      return;
    }
    await store.phoneAgentLogons.save({
      agentId: user.id,
      tenantId: user.tenantId,
      callManagerId: this.#callManagerRowId(agent.callManagerId),
      phoneNum: agent.extension,
      readyStatus,
      priorityLogon: policy.priority,
    });
  }

  #callManager(id: string): CallManagerConfig {
    const cm = this.#o.callManagers.find((c) => c.id === id);
    if (!cm) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, id);
    return cm;
  }

  #callManagerRowId(id: string): number {
    const rowId = this.#o.callManagerRowIds.get(id);
    if (rowId === undefined) throw new CtiError(Errors.CALL_MANAGER_UNKNOWN, id);
    return rowId;
  }
}
