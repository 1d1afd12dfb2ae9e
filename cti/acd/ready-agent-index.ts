// Who can take a call of a service group right now: idle-ready agents per (group, skill level), each level in
// longest-idle order. The best agent for a group is the first of its highest non-empty level: at most ten looks,
// whatever the number of agents or groups.
//
// A "*" group has no per-agent entries. Every ready agent is in one shared all-agents set, and that set stands
// for the group's everyAgentLevel. An agent that names a "*" group with a higher level is also indexed at that
// level; a level at or below everyAgentLevel adds nothing (the agent already serves the group at that level), so
// an agent's level in a "*" group is the higher of the two.
//
// Each agent's places are resolved once, when its skills are set (placesFor): becoming ready or leaving is then
// one link or unlink per place, O(groups of the agent) with no lookups.
import { ReadyAgentSet, type ReadyAgent, type ReadyNode } from "./ready-agent-set.js";
import { DEFAULT_SKILL_LEVEL, MAX_SKILL_LEVEL, type ServiceGroupDefinition } from "./service-group.js";

/** The nodes of one agent: one in the all-agents set, one per (group, level) it is indexed at. */
export type ReadyPlaces<T extends ReadyAgent> = readonly ReadyNode<T>[];

export class ReadyAgentIndex<T extends ReadyAgent> {
  /** Per group, index = skill level; sets are made when first needed. */
  readonly #levels = new Map<string, (ReadyAgentSet<T> | undefined)[]>();
  /** The everyAgentLevel of each "*" group. */
  readonly #everyAgentLevel = new Map<string, number>();
  readonly #everyone = new ReadyAgentSet<T>();

  constructor(groups: readonly ServiceGroupDefinition[]) {
    for (const group of groups) {
      this.#levels.set(group.id, new Array<ReadyAgentSet<T> | undefined>(MAX_SKILL_LEVEL + 1));
      if (group.members === "*") this.#everyAgentLevel.set(group.id, group.everyAgentLevel ?? DEFAULT_SKILL_LEVEL);
    }
  }

  /** Ready agents, all groups together. */
  get size(): number {
    return this.#everyone.size;
  }

  /** The places of an agent with these skills (group → level, known groups only). Not linked yet. */
  placesFor(agent: T, skills: ReadonlyMap<string, number>): ReadyPlaces<T> {
    const places = [this.#everyone.node(agent)];
    for (const [groupId, level] of skills) {
      const levels = this.#levels.get(groupId);
      const everyAgentLevel = this.#everyAgentLevel.get(groupId);
      if (!levels || (everyAgentLevel !== undefined && level <= everyAgentLevel)) continue;
      places.push((levels[level] ??= new ReadyAgentSet<T>()).node(agent));
    }
    return places;
  }

  /** The agent became ready: O(places). */
  add(places: ReadyPlaces<T>): void {
    for (const node of places) node.set.link(node);
  }

  /** The agent is no longer ready: O(places). */
  remove(places: ReadyPlaces<T>): void {
    for (const node of places) node.set.unlink(node);
  }

  /** The agent to offer a call of this group to: highest skill level, then idle longest. */
  best(groupId: string): T | undefined {
    const levels = this.#levels.get(groupId);
    if (!levels) return undefined;
    const everyAgentLevel = this.#everyAgentLevel.get(groupId);
    const floor = everyAgentLevel ?? 0;
    for (let level = MAX_SKILL_LEVEL; level > floor; level--) {
      const first = levels[level]?.first();
      if (first) return first;
    }
    return everyAgentLevel === undefined ? undefined : this.#everyone.first();
  }
}
