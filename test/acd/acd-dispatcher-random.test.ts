// Randomised interleavings of every dispatcher event, checked step by step against a brute-force reference:
// each decision must be the one the reference makes by scanning everything, no call is offered twice, no agent
// holds two offers, and after every step queues, positions, counts and open states match the reference.
import test, { type ExecutionContext } from "ava";
import { AcdDispatcher } from "../../cti/acd/acd-dispatcher.js";
import type { UnavailableState } from "../../cti/acd/acd-agent.js";
import type { Offer } from "../../cti/acd/offer.js";
import type { ServiceGroupDefinition } from "../../cti/acd/service-group.js";
import type { LoggedOnState } from "../../cti/acd/service-group-stats.js";
import { compareCalls, type WaitingCall } from "../../cti/acd/waiting-call.js";
import { Errors, isCtiError } from "../../cti/errors.js";
import { seededRandom, type SeededRandom } from "./seeded-random.js";

interface ModelAgent {
  skills: Map<string, number>; // the agent's own groups (before member lists and "*")
  state: LoggedOnState;
  readySince: number;
  readyOrder: number;
  offer: string | undefined;
}

interface ModelCall extends WaitingCall {
  status: "waiting" | "offered";
  offeredTo: string | undefined;
}

const UNAVAILABLE: UnavailableState[] = ["idleNotReady", "reserved", "talking", "callWaiting", "callback", "clerical"];

class Reference {
  readonly agents = new Map<string, ModelAgent>();
  readonly calls = new Map<string, ModelCall>();
  readyOrder = 0;
  seq = 0;

  constructor(readonly groups: readonly ServiceGroupDefinition[]) {}

  /** The agent's level in a group, or undefined when it does not serve it. */
  level(logonId: string, agent: ModelAgent, group: ServiceGroupDefinition): number | undefined {
    let level = agent.skills.get(group.id);
    if (group.members === "*") level = Math.max(level ?? 0, group.everyAgentLevel ?? 1);
    else for (const m of group.members ?? []) if (m.logonId === logonId) level = Math.max(level ?? 0, m.level ?? 1);
    return level;
  }

  serves(logonId: string, group: ServiceGroupDefinition): boolean {
    const agent = this.agents.get(logonId);
    return agent !== undefined && this.level(logonId, agent, group) !== undefined;
  }

  bestAgent(groupId: string): string | undefined {
    const group = this.groups.find((g) => g.id === groupId)!;
    let best: [string, number, ModelAgent] | undefined;
    for (const [logonId, agent] of this.agents) {
      if (agent.state !== "idleReady") continue;
      const level = this.level(logonId, agent, group);
      if (level === undefined) continue;
      const better = !best || level > best[1] ||
        (level === best[1] && (agent.readySince < best[2].readySince || (agent.readySince === best[2].readySince && agent.readyOrder < best[2].readyOrder)));
      if (better) best = [logonId, level, agent];
    }
    return best?.[0];
  }

  readyServing(groupId: string): number {
    const group = this.groups.find((g) => g.id === groupId)!;
    return [...this.agents.entries()].filter(([id, a]) => a.state === "idleReady" && this.level(id, a, group) !== undefined).length;
  }

  bestCall(logonId: string): ModelCall | undefined {
    let best: ModelCall | undefined;
    for (const call of this.calls.values()) {
      if (call.status !== "waiting") continue;
      if (!this.serves(logonId, this.groups.find((g) => g.id === call.groupId)!)) continue;
      if (!best || compareCalls(call, best) < 0) best = call;
    }
    return best;
  }

  waitingIn(groupId: string): ModelCall[] {
    return [...this.calls.values()].filter((c) => c.groupId === groupId && c.status === "waiting").sort(compareCalls);
  }

  offer(call: ModelCall, logonId: string): void {
    call.status = "offered";
    call.offeredTo = logonId;
    const agent = this.agents.get(logonId)!;
    agent.state = "reserved";
    agent.offer = call.callId;
  }

  clearOffer(call: ModelCall): void {
    const agent = call.offeredTo === undefined ? undefined : this.agents.get(call.offeredTo);
    if (agent?.offer === call.callId) agent.offer = undefined;
    call.offeredTo = undefined;
  }
}

function makeGroups(random: SeededRandom, moreStarGroups: number): ServiceGroupDefinition[] {
  const groups: ServiceGroupDefinition[] = [
    { id: "g0", openWhen: "loggedOn" },
    { id: "g1", openWhen: "ready" },
    { id: "g2", openWhen: "ready", members: [{ logonId: "a0", level: 6 }, { logonId: "a1" }] },
    { id: "g3", openWhen: "loggedOn" },
    { id: "star", openWhen: "loggedOn", members: "*", everyAgentLevel: random.between(1, 4) },
    { id: "star2", openWhen: "ready", members: "*" },
  ];
  for (let i = 0; i < moreStarGroups; i++) groups.push({ id: `star-extra${i}`, openWhen: "loggedOn", members: "*", everyAgentLevel: random.between(1, 3) });
  return groups;
}

function randomSkills(random: SeededRandom, groups: readonly ServiceGroupDefinition[]): { groupId: string; level: number }[] {
  const skills: { groupId: string; level: number }[] = [];
  for (const group of groups) if (random.chance(0.35)) skills.push({ groupId: group.id, level: random.between(1, 10) });
  return skills;
}

type Operation = "enqueue" | "available" | "unavailable" | "offerEnds" | "abandon" | "logonOrOff" | "skills";
const BUSY: [Operation, number][] = [["enqueue", 25], ["available", 18], ["unavailable", 10], ["offerEnds", 22], ["abandon", 7], ["logonOrOff", 10], ["skills", 8]];
const QUIET: [Operation, number][] = [["enqueue", 6], ["available", 35], ["unavailable", 2], ["offerEnds", 40], ["abandon", 8], ["logonOrOff", 5], ["skills", 4]];

function pickOperation(random: SeededRandom, weights: [Operation, number][]): Operation {
  let r = random.next() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [op, w] of weights) if ((r -= w) < 0) return op;
  return weights[0]![0];
}

function run(t: ExecutionContext, seed: number, steps: number, moreStarGroups = 0): void {
  const random = seededRandom(seed);
  const groups = makeGroups(random, moreStarGroups);
  const acd = new AcdDispatcher(groups);
  const ref = new Reference(groups);
  const agentIds = Array.from({ length: 24 }, (_, i) => `a${i}`);
  let clock = 1_000;
  let nextCall = 0;
  const stats = { offers: 0, requeues: 0, refusals: 0, choices: 0 };

  const applyOffer = (offer: Offer | undefined, expectedAgent: string | undefined, call: ModelCall | undefined, what: string) => {
    t.is(offer?.logonId, expectedAgent, `${what}: agent chosen`);
    t.is(offer?.callId, expectedAgent === undefined ? undefined : call?.callId, `${what}: call chosen`);
    if (!offer || !call) return;
    t.is(call.status, "waiting", `${what}: ${call.callId} is not already offered`);
    t.is(ref.agents.get(offer.logonId)?.offer, undefined, `${what}: ${offer.logonId} has no other offer`);
    ref.offer(call, offer.logonId);
    stats.offers++;
  };

  const available = (logonId: string) => {
    const agent = ref.agents.get(logonId)!;
    if (agent.offer) {
      const error = t.throws(() => acd.agentAvailable(logonId, clock));
      t.true(isCtiError(error, Errors.AGENT_STATE));
      stats.refusals++;
      return;
    }
    if (agent.state === "idleReady") {
      t.is(acd.agentAvailable(logonId, clock), undefined);
      return;
    }
    const call = ref.bestCall(logonId);
    const offer = acd.agentAvailable(logonId, clock);
    if (call) {
      applyOffer(offer, logonId, call, `agentAvailable(${logonId})`);
    } else {
      t.is(offer, undefined);
      agent.state = "idleReady";
      agent.readySince = clock;
      agent.readyOrder = ++ref.readyOrder;
    }
  };

  for (let step = 0; step < steps; step++) {
    if (random.chance(0.7)) clock += random.int(4); // equal times happen too
    const loggedOn = [...ref.agents.keys()];
    const offered = [...ref.calls.values()].filter((c) => c.status === "offered");
    const waiting = [...ref.calls.values()].filter((c) => c.status === "waiting");
    // alternate busy and quiet phases, so both queues of callers and pools of ready agents build up
    const op = pickOperation(random, Math.floor(step / 300) % 2 === 0 ? BUSY : QUIET);
    if (op === "enqueue") {
      const groupId = random.pick(groups).id;
      const arrivedAt = random.chance(0.1) ? clock - random.int(500) : clock; // some calls moved from elsewhere
      const call: ModelCall = {
        callId: `c${nextCall++}`, groupId, priority: random.chance(0.8) ? 0 : random.between(1, 2), arrivedAt,
        seq: ++ref.seq, status: "waiting", offeredTo: undefined,
      };
      const expected = ref.bestAgent(groupId);
      if (ref.readyServing(groupId) > 1) stats.choices++;
      ref.calls.set(call.callId, call);
      applyOffer(acd.enqueue(call), expected, call, `enqueue(${call.callId})`);
      t.is(acd.call(call.callId)?.seq, call.seq);
    } else if (op === "available" && loggedOn.length) {
      const notReady = loggedOn.filter((id) => ref.agents.get(id)!.state !== "idleReady" && !ref.agents.get(id)!.offer);
      available(random.pick(notReady.length && random.chance(0.9) ? notReady : loggedOn));
    } else if (op === "unavailable" && loggedOn.length) {
      const logonId = random.pick(loggedOn);
      const state = random.pick(UNAVAILABLE);
      acd.agentUnavailable(logonId, state);
      ref.agents.get(logonId)!.state = state;
    } else if (op === "offerEnds" && offered.length) {
      const call = random.pick(offered);
      const logonId = call.offeredTo!;
      if (random.chance(0.6)) {
        t.true(acd.remove(call.callId)); // answered
        ref.clearOffer(call);
        ref.calls.delete(call.callId);
        if (ref.agents.has(logonId)) {
          acd.agentUnavailable(logonId, "talking");
          ref.agents.get(logonId)!.state = "talking";
        }
      } else {
        ref.clearOffer(call);
        call.status = "waiting";
        const expected = ref.bestAgent(call.groupId);
        applyOffer(acd.requeue(call.callId), expected, call, `requeue(${call.callId})`);
        stats.requeues++;
        if (ref.agents.has(logonId)) {
          if (random.chance(0.5)) available(logonId);
          else {
            acd.agentUnavailable(logonId);
            ref.agents.get(logonId)!.state = "idleNotReady";
          }
        }
      }
    } else if (op === "abandon" && waiting.length) {
      const call = random.pick(waiting); // abandoned
      t.true(acd.remove(call.callId));
      ref.calls.delete(call.callId);
    } else if (op === "logonOrOff") {
      const loggedOff = agentIds.filter((id) => !ref.agents.has(id));
      if (loggedOff.length && (random.chance(0.6) || !loggedOn.length)) {
        const logonId = random.pick(loggedOff);
        const skills = randomSkills(random, groups);
        acd.agentLoggedOn({ logonId, groups: skills });
        ref.agents.set(logonId, {
          skills: new Map(skills.map((s) => [s.groupId, s.level])), state: "idleNotReady", readySince: 0, readyOrder: 0, offer: undefined,
        });
      } else if (loggedOn.length) {
        const logonId = random.pick(loggedOn);
        const offer = ref.agents.get(logonId)!.offer;
        t.true(acd.agentLoggedOff(logonId));
        ref.agents.delete(logonId);
        if (offer !== undefined) {
          // the lead cancels the ringing and puts the call back
          const call = ref.calls.get(offer)!;
          ref.clearOffer(call);
          call.status = "waiting";
          applyOffer(acd.requeue(call.callId), ref.bestAgent(call.groupId), call, `requeue(${call.callId}) after logoff`);
        }
      }
    } else if (op === "skills" && loggedOn.length) {
      const logonId = random.pick(loggedOn);
      const agent = ref.agents.get(logonId)!;
      const skills = randomSkills(random, groups);
      const offer = acd.setAgentGroups(logonId, skills);
      agent.skills = new Map(skills.map((s) => [s.groupId, s.level]));
      if (agent.state === "idleReady") {
        const call = ref.bestCall(logonId);
        applyOffer(offer, call ? logonId : undefined, call, `setAgentGroups(${logonId})`);
      } else {
        t.is(offer, undefined);
      }
    }
    checkEverything(t, acd, ref, clock, step);
  }
  t.true(stats.offers > steps / 10, `enough offers made (${stats.offers})`);
  t.true(stats.requeues > steps / 50, `enough requeues made (${stats.requeues})`);
  t.true(stats.refusals > 0, "an agent with an offer was refused at least once");
  t.true(stats.choices > steps / 40, `enough calls arrived with several ready agents to choose from (${stats.choices})`);
}

function checkEverything(t: ExecutionContext, acd: AcdDispatcher, ref: Reference, now: number, step: number): void {
  let ready = 0;
  const offeredTo = new Map<string, string>();
  for (const call of ref.calls.values()) {
    const view = acd.call(call.callId);
    if (view?.status !== call.status || view.offeredTo !== call.offeredTo) {
      t.fail(`step ${step}: call ${call.callId} is ${view?.status}/${view?.offeredTo}, expected ${call.status}/${call.offeredTo}`);
    }
    if (call.offeredTo !== undefined) {
      if (offeredTo.has(call.offeredTo)) t.fail(`step ${step}: ${call.offeredTo} holds two offers`);
      offeredTo.set(call.offeredTo, call.callId);
    }
  }
  for (const [logonId, agent] of ref.agents) {
    const view = acd.agent(logonId);
    if (view?.state !== agent.state || view.offeredCallId !== agent.offer) {
      t.fail(`step ${step}: agent ${logonId} is ${view?.state}/${view?.offeredCallId}, expected ${agent.state}/${agent.offer}`);
    }
    if (agent.state === "idleReady") ready++;
  }
  t.is(acd.readyAgents, ready);
  for (const group of ref.groups) {
    const waiting = ref.waitingIn(group.id);
    const ids = acd.waitingCalls(group.id).map((c) => c.callId);
    if (ids.join() !== waiting.map((c) => c.callId).join()) t.fail(`step ${step}: ${group.id} queue ${ids} != ${waiting.map((c) => c.callId)}`);
    for (const [i, call] of waiting.entries()) if (acd.position(call.callId) !== i + 1) t.fail(`step ${step}: position of ${call.callId}`);
    const expectedWait = waiting.length ? now - Math.min(...waiting.map((c) => c.arrivedAt)) : 0;
    if (acd.longestWaitMs(group.id, now) !== Math.max(0, expectedWait)) t.fail(`step ${step}: longest wait of ${group.id}`);
    // a ready agent never sits beside a waiting call it could take
    if (waiting.length && ref.bestAgent(group.id) !== undefined) t.fail(`step ${step}: ${group.id} has waiting calls and a ready agent`);
    const members = [...ref.agents.entries()].filter(([id]) => ref.serves(id, group));
    const counts = acd.agentCounts(group.id);
    const serving = members.filter(([, a]) => a.state !== "idleNotReady").length;
    if (counts.loggedOn !== members.length || counts.serving !== serving) {
      t.fail(`step ${step}: ${group.id} counts ${counts.loggedOn}/${counts.serving}, expected ${members.length}/${serving}`);
    }
    for (const state of [...UNAVAILABLE, "idleReady"] as LoggedOnState[]) {
      if (counts[state] !== members.filter(([, a]) => a.state === state).length) t.fail(`step ${step}: ${group.id} count of ${state}`);
    }
    const open = group.openWhen === "loggedOn" ? members.length > 0 : serving > 0;
    if (acd.isOpen(group.id) !== open) t.fail(`step ${step}: ${group.id} open should be ${open}`);
  }
}

for (const seed of [1, 2, 3, 42, 1234]) {
  test(`random interleavings, seed ${seed}: every decision matches the reference and no offer is doubled`, (t) => {
    run(t, seed, 4000);
  });
}

for (const seed of [7, 99]) {
  test(`random interleavings with many "*" groups, seed ${seed}: the same checks`, (t) => {
    run(t, seed, 4000, 8);
  });
}
