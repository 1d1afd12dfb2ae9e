// What the dispatcher needs to know about a service group and its members. The lead maps the configuration to
// these plain types; the dispatcher never reads the configuration itself.
import { CtiError, Errors } from "../errors.js";

/** A service group is open when at least one member is logged on, or at least one member is in ready mode. */
export type OpenCondition = "loggedOn" | "ready";

export const MIN_SKILL_LEVEL = 1;
export const MAX_SKILL_LEVEL = 10;
export const DEFAULT_SKILL_LEVEL = 1;

export interface GroupMember {
  readonly logonId: string;
  /** 1-10, higher is preferred (default 1). */
  readonly level?: number;
}

export interface ServiceGroupDefinition {
  readonly id: string;
  readonly openWhen: OpenCondition;
  /**
   * "*": every logged-on agent serves the group (kept as one set of all ready agents, never one entry per agent);
   * a list: these agents serve it, in addition to the groups each agent brings at logon (AcdAgent.groups).
   */
  readonly members?: "*" | readonly GroupMember[];
  /** Skill level of the agents who serve a "*" group without naming it themselves (default 1). */
  readonly everyAgentLevel?: number;
}

export function assertSkillLevel(level: number, what: string): void {
  if (!Number.isInteger(level) || level < MIN_SKILL_LEVEL || level > MAX_SKILL_LEVEL) {
    throw new CtiError(Errors.CONFIG_INVALID, `${what}: skill level must be an integer ${MIN_SKILL_LEVEL}-${MAX_SKILL_LEVEL}, not ${level}`);
  }
}

/** Checks ids, open conditions and levels; throws CTI_ERR_CONFIG_INVALID naming the first problem. */
export function validateServiceGroups(groups: readonly ServiceGroupDefinition[]): void {
  const seen = new Set<string>();
  for (const group of groups) {
    if (!group.id) throw new CtiError(Errors.CONFIG_INVALID, "a service group needs an id");
    if (seen.has(group.id)) throw new CtiError(Errors.CONFIG_INVALID, `service group ${group.id} is defined twice`);
    seen.add(group.id);
    if (group.openWhen !== "loggedOn" && group.openWhen !== "ready") {
      throw new CtiError(Errors.CONFIG_INVALID, `service group ${group.id}: openWhen must be loggedOn or ready`);
    }
    if (group.everyAgentLevel !== undefined) {
      if (group.members !== "*") throw new CtiError(Errors.CONFIG_INVALID, `service group ${group.id}: everyAgentLevel needs members "*"`);
      assertSkillLevel(group.everyAgentLevel, `service group ${group.id}`);
    }
    if (Array.isArray(group.members)) {
      for (const member of group.members as readonly GroupMember[]) {
        assertSkillLevel(member.level ?? DEFAULT_SKILL_LEVEL, `service group ${group.id}, member ${member.logonId}`);
      }
    }
  }
}
