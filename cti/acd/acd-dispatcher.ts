// The ACD decision core: which agent gets which queued call. Synchronous, in memory, no SIP: the lead tells it
// what happens to agents and calls, and acts on the offers it returns (offer.ts has a call's lifecycle).
//
// Rules
// - A new or requeued call goes to the ready agent of its group with the highest skill level, idle longest among
//   those; without one it waits in the group's queue (priority, then arrival: waiting-call.ts).
// - An agent who becomes ready takes the first waiting call across ALL its groups (priority first, then arrival
//   time, whichever group the call waits in); without one it joins the ready index.
// - So a ready agent never coexists with a waiting call of a group it serves: every event keeps that true.
// - Every offer takes the agent out of the ready index (its state becomes reserved) and the call out of the
//   queue; the lead reports how it ended with remove() (answered, abandoned) or requeue() (not answered).
//   An agent holding an unreported offer cannot be made ready: that would give it two calls.
//
// Cost, for k groups of the agent and n calls waiting in one group: choosing an agent for a call is at most ten
// level looks (ready-agent-index.ts); agentAvailable looks at k queue heads plus one for all "*" groups together
// (queue-head-heap.ts); a state change touches k count rows and k + 1 ready-list nodes; queueing a call is a
// binary search in its group (call-queue.ts). No decision walks the agents or the groups; only the snapshot()
// query lists every group. scripts/bench-acd-selection.ts measures it.
import type { AgentState } from "../agents/agent-state.js";
import { CtiError, Errors } from "../errors.js";
import type { AcdAgent, AgentSkill, UnavailableState } from "./acd-agent.js";
import { CallQueue } from "./call-queue.js";
import type { Offer } from "./offer.js";
import { QueueHeadHeap } from "./queue-head-heap.js";
import { ReadyAgentIndex, type ReadyPlaces } from "./ready-agent-index.js";
import type { ReadyAgent } from "./ready-agent-set.js";
import {
  assertSkillLevel,
  DEFAULT_SKILL_LEVEL,
  validateServiceGroups,
  type GroupMember,
  type OpenCondition,
  type ServiceGroupDefinition,
} from "./service-group.js";
import { AgentStateTable, type AgentCounts, type LoggedOnState } from "./service-group-stats.js";
import { compareCalls, type WaitingCall } from "./waiting-call.js";

export interface NewCall {
  readonly callId: string;
  readonly groupId: string;
  /** Integer, higher first; default 0. */
  readonly priority?: number;
  /** When the caller arrived (ms); a call moved from another group may keep its first arrival. */
  readonly arrivedAt: number;
}

export type CallStatus = "waiting" | "offered";

export interface CallView extends WaitingCall {
  readonly status: CallStatus;
  /** The agent the call is offered to, while it is. */
  readonly offeredTo: string | undefined;
}

export interface AgentView {
  readonly logonId: string;
  readonly state: LoggedOnState;
  /** When it became idle-ready, while it is. */
  readonly readySince: number | undefined;
  /** The call offered to it and not yet reported, if any. */
  readonly offeredCallId: string | undefined;
  /** Groups it serves by name (its own and the lists naming it), with levels; "*" groups are not listed. */
  readonly skills: ReadonlyMap<string, number>;
}

export interface ServiceGroupSnapshot {
  readonly groupId: string;
  readonly open: boolean;
  readonly waiting: number;
  readonly longestWaitMs: number;
  readonly agents: AgentCounts;
}

interface CallRecord extends WaitingCall {
  status: CallStatus;
  /** The agent record the call is offered to (a record, not a logon ID: no lookup when the offer ends). */
  offeredTo: AgentRecord | undefined;
}

interface AgentRecord extends ReadyAgent {
  readonly logonId: string;
  state: LoggedOnState;
  readySince: number;
  readySeq: number;
  /** Known groups the agent serves by name → level (the higher of its own and a member list's). */
  skills: Map<string, number>;
  /** Indexes of the groups among `skills` that are not "*" groups: counted per group, queues looked at one by one. */
  named: Int32Array;
  /** Its nodes in the ready index, resolved when the skills are set. */
  places: ReadyPlaces<AgentRecord>;
  offer: CallRecord | undefined;
}

interface GroupState {
  readonly id: string;
  /** Position in the constructor's list; also its row of agent counts unless it is a "*" group. */
  readonly index: number;
  readonly openWhen: OpenCondition;
  readonly everyAgent: boolean;
  readonly queue: CallQueue<CallRecord>;
  /** Its row in the counts table: its own, or the all-agents row for a "*" group. */
  readonly countsRow: number;
}

/** Guards the states the types already exclude, for callers that cast. */
function assertUnavailable(state: AgentState): void {
  if (state === "idleReady" || state === "loggedOff") {
    throw new CtiError(Errors.BAD_REQUEST, `use agentAvailable() or agentLoggedOff() for ${state}`);
  }
}

export class AcdDispatcher {
  readonly #groups = new Map<string, GroupState>();
  readonly #groupAt: GroupState[] = [];
  /** Waiting calls per group index: an agent's groups are checked here before any queue is touched. */
  readonly #waiting: Int32Array;
  /** Agent counts: one row per group, then the all-agents row. */
  readonly #counts: AgentStateTable;
  readonly #allAgentsRow: number;
  readonly #calls = new Map<string, CallRecord>();
  readonly #agents = new Map<string, AgentRecord>();
  readonly #ready: ReadyAgentIndex<AgentRecord>;
  /** "*" groups with waiting calls, by their head call. */
  readonly #everyAgentQueues = new QueueHeadHeap<GroupState>();
  /** Member lists from the group definitions: logon ID → group → level. */
  readonly #listedMembers = new Map<string, Map<string, number>>();
  #callSeq = 0;
  #readySeq = 0;

  constructor(groups: readonly ServiceGroupDefinition[]) {
    validateServiceGroups(groups);
    this.#waiting = new Int32Array(groups.length);
    this.#counts = new AgentStateTable(groups.length + 1);
    this.#allAgentsRow = groups.length;
    for (const [index, group] of groups.entries()) {
      const everyAgent = group.members === "*";
      const state: GroupState = {
        id: group.id,
        index,
        openWhen: group.openWhen,
        everyAgent,
        queue: new CallQueue<CallRecord>(),
        countsRow: everyAgent ? this.#allAgentsRow : index,
      };
      this.#groups.set(group.id, state);
      this.#groupAt.push(state);
      if (everyAgent || group.members === undefined) continue;
      for (const member of group.members as readonly GroupMember[]) {
        const listed = this.#listedMembers.get(member.logonId) ?? new Map<string, number>();
        listed.set(group.id, Math.max(listed.get(group.id) ?? 0, member.level ?? DEFAULT_SKILL_LEVEL));
        this.#listedMembers.set(member.logonId, listed);
      }
    }
    this.#ready = new ReadyAgentIndex<AgentRecord>(groups);
  }

  // ── agents ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** An agent logged on; it takes calls once agentAvailable() says it is ready. */
  agentLoggedOn(agent: AcdAgent, state: UnavailableState = "idleNotReady"): void {
    if (this.#agents.has(agent.logonId)) throw new CtiError(Errors.AGENT_STATE, `${agent.logonId} is already logged on`);
    assertUnavailable(state);
    const skills = this.#skillsOf(agent.logonId, agent.groups);
    const record: AgentRecord = {
      logonId: agent.logonId,
      state,
      readySince: 0,
      readySeq: 0,
      skills,
      named: this.#namedGroups(skills),
      places: [],
      offer: undefined,
    };
    record.places = this.#ready.placesFor(record, skills);
    this.#agents.set(agent.logonId, record);
    this.#countIn(record, state);
  }

  /**
   * The agent became idle-ready at `at` (ms). Returns the offer of the first waiting call across its groups, or
   * undefined: the agent is now in the ready index. Already ready: nothing changes (it keeps its idle time).
   */
  agentAvailable(logonId: string, at: number): Offer | undefined {
    const agent = this.#agent(logonId);
    if (!Number.isFinite(at)) throw new CtiError(Errors.BAD_REQUEST, `ready time must be a time in ms, not ${at}`);
    if (agent.state === "idleReady") return undefined;
    if (agent.offer) {
      throw new CtiError(Errors.AGENT_STATE, `${logonId} still has call ${agent.offer.callId} offered; remove() or requeue() it first`);
    }
    const group = this.#firstWaitingGroup(agent);
    if (group) return this.#offer(this.#take(group), agent);
    agent.readySince = at;
    agent.readySeq = ++this.#readySeq;
    this.#setState(agent, "idleReady");
    this.#ready.add(agent.places);
    return undefined;
  }

  /** The agent cannot take a queued call now (not ready, reserved, talking, wrap-up…). */
  agentUnavailable(logonId: string, state: UnavailableState = "idleNotReady"): void {
    assertUnavailable(state);
    const agent = this.#agent(logonId);
    if (agent.state === "idleReady") this.#ready.remove(agent.places);
    this.#setState(agent, state);
  }

  /** Forgets the agent. A call still offered to it stays offered until remove() or requeue(). */
  agentLoggedOff(logonId: string): boolean {
    const agent = this.#agents.get(logonId);
    if (!agent) return false;
    if (agent.state === "idleReady") this.#ready.remove(agent.places);
    this.#countOut(agent);
    this.#agents.delete(logonId);
    return true;
  }

  /**
   * Replaces the groups the agent brings (its skills changed). A ready agent keeps its idle time and, when a
   * group it now serves has a waiting call, is offered the first one.
   */
  setAgentGroups(logonId: string, groups: readonly AgentSkill[]): Offer | undefined {
    const agent = this.#agent(logonId);
    const skills = this.#skillsOf(logonId, groups);
    const ready = agent.state === "idleReady";
    if (ready) this.#ready.remove(agent.places);
    this.#countOut(agent);
    agent.skills = skills;
    agent.named = this.#namedGroups(skills);
    agent.places = this.#ready.placesFor(agent, skills);
    this.#countIn(agent, agent.state);
    if (!ready) return undefined;
    const group = this.#firstWaitingGroup(agent);
    if (group) return this.#offer(this.#take(group), agent);
    this.#ready.add(agent.places);
    return undefined;
  }

  // ── calls ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** A caller entered the group's queue. Returns the offer when a ready agent can take it, else it waits. */
  enqueue(call: NewCall): Offer | undefined {
    const group = this.#group(call.groupId);
    if (this.#calls.has(call.callId)) throw new CtiError(Errors.SIP_CALL_STATE, `call ${call.callId} is already queued`);
    const priority = call.priority ?? 0;
    if (!Number.isInteger(priority)) throw new CtiError(Errors.BAD_REQUEST, `call priority must be an integer, not ${priority}`);
    if (!Number.isFinite(call.arrivedAt)) throw new CtiError(Errors.BAD_REQUEST, `call arrival must be a time in ms, not ${call.arrivedAt}`);
    const record: CallRecord = {
      callId: call.callId,
      groupId: group.id,
      priority,
      arrivedAt: call.arrivedAt,
      seq: ++this.#callSeq,
      status: "waiting",
      offeredTo: undefined,
    };
    this.#calls.set(record.callId, record);
    return this.#dispatchOrQueue(record, group);
  }

  /**
   * The offer failed (ring timeout, busy, decline): the call goes back to its original place, or straight to
   * another ready agent. Never back to the agent that failed: it cannot be made ready before this is called.
   */
  requeue(callId: string): Offer | undefined {
    const call = this.#calls.get(callId);
    if (!call) throw new CtiError(Errors.CALL_NOT_FOUND, callId);
    if (call.status !== "offered") throw new CtiError(Errors.SIP_CALL_STATE, `call ${callId} is not offered`);
    this.#clearOffer(call);
    return this.#dispatchOrQueue(call, this.#group(call.groupId));
  }

  /** The call left the ACD (answered, abandoned, overflowed). False when it was not known. */
  remove(callId: string): boolean {
    const call = this.#calls.get(callId);
    if (!call) return false;
    this.#calls.delete(callId);
    if (call.status === "offered") {
      this.#clearOffer(call);
      return true;
    }
    const group = this.#group(call.groupId);
    if (group.queue.remove(call)) this.#waiting[group.index]!--;
    if (group.everyAgent) this.#everyAgentQueues.update(group);
    return true;
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** 1-based place of a waiting call in its group's queue; undefined when it is not waiting. */
  position(callId: string): number | undefined {
    const call = this.#calls.get(callId);
    if (!call || call.status !== "waiting") return undefined;
    return this.#group(call.groupId).queue.position(call);
  }

  call(callId: string): CallView | undefined {
    const call = this.#calls.get(callId);
    if (!call) return undefined;
    const { groupId, priority, arrivedAt, seq, status } = call;
    return { callId, groupId, priority, arrivedAt, seq, status, offeredTo: call.offeredTo?.logonId };
  }

  agent(logonId: string): AgentView | undefined {
    const agent = this.#agents.get(logonId);
    if (!agent) return undefined;
    return {
      logonId,
      state: agent.state,
      readySince: agent.state === "idleReady" ? agent.readySince : undefined,
      offeredCallId: agent.offer?.callId,
      skills: new Map(agent.skills),
    };
  }

  waiting(groupId: string): number {
    return this.#group(groupId).queue.size;
  }

  /** The group's waiting calls in the order they will be served. */
  waitingCalls(groupId: string): WaitingCall[] {
    return this.#group(groupId).queue.toArray().map(({ callId, groupId: g, priority, arrivedAt, seq }) => ({ callId, groupId: g, priority, arrivedAt, seq }));
  }

  /** How long the longest-waiting call of the group has waited (0 when none waits). */
  longestWaitMs(groupId: string, now: number): number {
    const oldest = this.#group(groupId).queue.oldestArrival();
    return oldest === undefined ? 0 : Math.max(0, now - oldest);
  }

  isOpen(groupId: string): boolean {
    const group = this.#group(groupId);
    return this.#counts.isOpen(group.countsRow, group.openWhen);
  }

  /** Agents serving the group, by state; a "*" group counts every logged-on agent. */
  agentCounts(groupId: string): AgentCounts {
    return this.#counts.snapshot(this.#group(groupId).countsRow);
  }

  /** Agents who will take the group's calls (logged on, not not-ready): the n of the wait estimate. */
  agentsServing(groupId: string): number {
    return this.#counts.serving(this.#group(groupId).countsRow);
  }

  /** Ready agents, all groups together. */
  get readyAgents(): number {
    return this.#ready.size;
  }

  groupIds(): string[] {
    return [...this.#groups.keys()];
  }

  snapshot(now: number): ServiceGroupSnapshot[] {
    return [...this.#groups.values()].map((group) => ({
      groupId: group.id,
      open: this.#counts.isOpen(group.countsRow, group.openWhen),
      waiting: group.queue.size,
      longestWaitMs: this.longestWaitMs(group.id, now),
      agents: this.#counts.snapshot(group.countsRow),
    }));
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────────────────

  #dispatchOrQueue(call: CallRecord, group: GroupState): Offer | undefined {
    // A ready agent of this group means its queue is empty (see the rules above), so this call is the first.
    const agent = this.#ready.best(group.id);
    if (agent) return this.#offer(call, agent);
    call.status = "waiting";
    group.queue.insert(call);
    this.#waiting[group.index]!++;
    if (group.everyAgent) this.#everyAgentQueues.update(group);
    return undefined;
  }

  /** The group whose head call the agent should take: first by compareCalls across all the agent's groups. */
  #firstWaitingGroup(agent: AgentRecord): GroupState | undefined {
    let best = this.#everyAgentQueues.peek();
    let bestHead = best?.queue.peek();
    for (const index of agent.named) {
      if (this.#waiting[index] === 0) continue;
      const group = this.#groupAt[index]!;
      const head = group.queue.peek()!;
      if (!bestHead || compareCalls(head, bestHead) < 0) {
        best = group;
        bestHead = head;
      }
    }
    return best;
  }

  #take(group: GroupState): CallRecord {
    const call = group.queue.shift()!;
    this.#waiting[group.index]!--;
    if (group.everyAgent) this.#everyAgentQueues.update(group);
    return call;
  }

  #offer(call: CallRecord, agent: AgentRecord): Offer {
    if (agent.state === "idleReady") this.#ready.remove(agent.places);
    this.#setState(agent, "reserved");
    call.status = "offered";
    call.offeredTo = agent;
    agent.offer = call;
    return { callId: call.callId, groupId: call.groupId, logonId: agent.logonId };
  }

  #clearOffer(call: CallRecord): void {
    // the agent may have logged off meanwhile: its old record is then simply dropped
    if (call.offeredTo?.offer === call) call.offeredTo.offer = undefined;
    call.offeredTo = undefined;
  }

  #setState(agent: AgentRecord, state: LoggedOnState): void {
    if (agent.state === state) return;
    for (const row of agent.named) this.#counts.move(row, agent.state, state);
    this.#counts.move(this.#allAgentsRow, agent.state, state);
    agent.state = state;
  }

  #skillsOf(logonId: string, groups: readonly AgentSkill[]): Map<string, number> {
    const skills = new Map(this.#listedMembers.get(logonId));
    for (const { groupId, level = DEFAULT_SKILL_LEVEL } of groups) {
      if (!this.#groups.has(groupId)) continue;
      assertSkillLevel(level, `agent ${logonId}, service group ${groupId}`);
      skills.set(groupId, Math.max(skills.get(groupId) ?? 0, level));
    }
    return skills;
  }

  /** Indexes of the named (not "*") groups among the skills. */
  #namedGroups(skills: ReadonlyMap<string, number>): Int32Array {
    const named: number[] = [];
    for (const groupId of skills.keys()) {
      const group = this.#groups.get(groupId)!;
      if (!group.everyAgent) named.push(group.index);
    }
    return Int32Array.from(named);
  }

  /** Counts the agent in its named groups' rows and the all-agents row. */
  #countIn(agent: AgentRecord, state: LoggedOnState): void {
    for (const row of agent.named) this.#counts.add(row, state);
    this.#counts.add(this.#allAgentsRow, state);
  }

  #countOut(agent: AgentRecord): void {
    for (const row of agent.named) this.#counts.remove(row, agent.state);
    this.#counts.remove(this.#allAgentsRow, agent.state);
  }

  #agent(logonId: string): AgentRecord {
    const agent = this.#agents.get(logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    return agent;
  }

  #group(groupId: string): GroupState {
    const group = this.#groups.get(groupId);
    if (!group) throw new CtiError(Errors.SERVICE_GROUP_UNKNOWN, groupId);
    return group;
  }
}
