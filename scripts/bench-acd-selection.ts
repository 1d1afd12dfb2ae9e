// Benchmark: the ACD decision core (cti/acd) driven by a simulated contact centre, to show that the cost of a
// decision stays flat as agents grow.
//
// For each agent count: 1,000 service groups (10 of them "*" groups every agent serves), each agent in 1–5 random
// named groups at random skill levels 1-10 (one in ten also names a "*" group at a higher level). Then a
// discrete-event simulation with the same load per agent at every size, alternating 10-minute phases at 90 % and
// 110 % of the agents' capacity so queues build up and drain: Poisson call arrivals (one in ten into a "*" group,
// one in ten with priority 1-3; a caller to a closed group is not queued), ringing 2-8 s, 92 % answered (talk
// ~180 s, wrap-up 15 s) and 8 % not (requeue; the agent is not ready for 60 s), callers abandoning after ~90 s
// in the queue, a position announcement every 30 s, a 5-minute break after 3 % of calls. Every dispatcher call is
// timed on its own and filed under its outcome (an offer is a different path from queueing).
//
// Two tables: the calls timed inside the simulation, and the same calls replayed back to back on a fresh
// dispatcher (the decisions alone, without the simulation's own work between them). Two calls do no agent work
// and show what the memory hierarchy adds: "waiting (control)" reads per-group data only (the same size in every
// run) and stays flat; "position" is a binary search in a queue of a few calls but finds the call in a table ten
// times larger (ten times the traffic), and grows like the agent calls do — cache misses, not algorithm.
//
//   node dist/scripts/bench-acd-selection.js [--agents 1000,10000] [--groups 1000] [--star 10] [--ops 1000000]
//                                            [--seed 1]
import { AcdDispatcher } from "../cti/acd/acd-dispatcher.js";
import type { AcdAgent, UnavailableState } from "../cti/acd/acd-agent.js";
import type { Offer } from "../cti/acd/offer.js";
import type { ServiceGroupDefinition } from "../cti/acd/service-group.js";
import { seededRandom, type SeededRandom } from "../test/acd/seeded-random.js";

interface Args {
  agents: number[];
  groups: number;
  star: number;
  ops: number;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const args = {
    agents: (get("agents") ?? "1000,10000").split(",").map(Number),
    groups: Number(get("groups") ?? 1000),
    star: Number(get("star") ?? 10),
    ops: Number(get("ops") ?? 1_000_000),
    seed: Number(get("seed") ?? 1),
  };
  if (args.agents.some((n) => !(n > 0)) || !(args.groups > args.star) || !(args.star >= 0) || !(args.ops > 0)) {
    throw new Error("usage: --agents N[,N…] --groups N --star N --ops N --seed N");
  }
  return args;
}

// ── the contact centre (all times in ms) ─────────────────────────────────────────────────────────────────────

const RING_MS = [2_000, 8_000] as const;
const TALK_MEAN_MS = 180_000;
const WRAP_UP_MS = 15_000;
const ANSWERED = 0.92;
const NOT_READY_AFTER_MISS_MS = 60_000;
const PATIENCE_MEAN_MS = 90_000;
const ANNOUNCE_EVERY_MS = 30_000;
const BREAK_CHANCE = 0.03;
const BREAK_MS = 300_000;
const PHASE_MS = 600_000;
const LOADS = [0.9, 1.1];
/** Mean time an agent is occupied by one call: what its capacity is measured in. */
const SERVICE_MS = (RING_MS[0] + RING_MS[1]) / 2 + TALK_MEAN_MS + WRAP_UP_MS;

type EventKind = "arrival" | "ringEnd" | "talkEnd" | "agentReady" | "abandon" | "announce";

interface SimEvent {
  at: number;
  seq: number;
  kind: EventKind;
  /** A call ID or a logon ID, by kind. */
  id: string;
}

/** Future events by time (a binary heap). */
class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(at: number, kind: EventKind, id: string): void {
    const heap = this.#heap;
    const event = { at, seq: ++this.#seq, kind, id };
    let i = heap.push(event) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.#before(heap[right]!, heap[left]!) ? right : left;
      if (!this.#before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  #before(a: SimEvent, b: SimEvent): boolean {
    return a.at !== b.at ? a.at < b.at : a.seq < b.seq;
  }
}

// ── timing ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Each decision is timed under its outcome: choosing an agent or a call is a different path from queueing. */
const KINDS = [
  "enqueue → offer", "enqueue → queued", "agentAvailable → offer", "agentAvailable → ready", "requeue → offer",
  "requeue → queued", "remove", "agentUnavailable", "position", "waiting (control)",
] as const;
type Kind = (typeof KINDS)[number];

/** Per-kind samples in preallocated arrays, timed with performance.now() (no allocation while timing). */
class Timings {
  readonly #samples = new Map<Kind, Float64Array>();
  readonly #counts = new Map<Kind, number>();
  recording = false;
  total = 0;

  constructor(capacity: number) {
    for (const kind of KINDS) {
      this.#samples.set(kind, new Float64Array(capacity));
      this.#counts.set(kind, 0);
    }
  }

  time<R>(kind: Kind, fn: () => R): R {
    return this.decide(kind, kind, fn);
  }

  /** Times a decision, filed under `ifOffer` when it returned an offer, else under `otherwise`. */
  decide<R>(ifOffer: Kind, otherwise: Kind, fn: () => R): R {
    this.total++;
    if (!this.recording) return fn();
    const start = performance.now();
    const result = fn();
    const ns = (performance.now() - start) * 1e6;
    const kind = result ? ifOffer : otherwise;
    const n = this.#counts.get(kind)!;
    this.#samples.get(kind)![n] = ns;
    this.#counts.set(kind, n + 1);
    return result;
  }

  summary(kind: Kind): { count: number; p50: number; p99: number; mean: number } {
    const count = this.#counts.get(kind)!;
    const samples = this.#samples.get(kind)!.slice(0, count).sort();
    const at = (q: number) => Math.round(samples[Math.min(count - 1, Math.floor(q * count))] ?? 0);
    const mean = samples.reduce((sum, x) => sum + x, 0) / Math.max(1, count);
    return { count, p50: at(0.5), p99: at(0.99), mean };
  }
}

/** Every dispatcher call of a run, in order, so it can be replayed back to back without the simulation. */
class Trace {
  readonly ops: number[] = [];
  readonly ids: string[] = [];
  readonly more: string[] = [];
  readonly numbers: number[] = [];
  readonly times: number[] = [];

  push(op: number, id: string, more: string, n: number, time: number): void {
    this.ops.push(op);
    this.ids.push(id);
    this.more.push(more);
    this.numbers.push(n);
    this.times.push(time);
  }
}

const ENQUEUE = 0, AVAILABLE = 1, REQUEUE = 2, REMOVE = 3, UNAVAILABLE = 4, POSITION = 5, WAITING = 6;

/** The dispatcher calls the simulation makes, each timed (once past the warm-up) and written to the trace. */
class TimedDispatcher {
  constructor(
    readonly acd: AcdDispatcher,
    readonly timings: Timings,
    readonly trace: Trace | undefined,
  ) {}

  enqueue(callId: string, groupId: string, priority: number, arrivedAt: number): Offer | undefined {
    this.trace?.push(ENQUEUE, callId, groupId, priority, arrivedAt);
    return this.timings.decide("enqueue → offer", "enqueue → queued", () => this.acd.enqueue({ callId, groupId, priority, arrivedAt }));
  }

  agentAvailable(logonId: string, at: number): Offer | undefined {
    this.trace?.push(AVAILABLE, logonId, "", 0, at);
    return this.timings.decide("agentAvailable → offer", "agentAvailable → ready", () => this.acd.agentAvailable(logonId, at));
  }

  requeue(callId: string): Offer | undefined {
    this.trace?.push(REQUEUE, callId, "", 0, 0);
    return this.timings.decide("requeue → offer", "requeue → queued", () => this.acd.requeue(callId));
  }

  remove(callId: string): void {
    this.trace?.push(REMOVE, callId, "", 0, 0);
    this.timings.time("remove", () => void this.acd.remove(callId));
  }

  agentUnavailable(logonId: string, state: UnavailableState): void {
    this.trace?.push(UNAVAILABLE, logonId, state, 0, 0);
    this.timings.time("agentUnavailable", () => this.acd.agentUnavailable(logonId, state));
  }

  position(callId: string): void {
    this.trace?.push(POSITION, callId, "", 0, 0);
    this.timings.time("position", () => this.acd.position(callId));
  }

  /** Control: a lookup of per-group data only, whose work and data do not grow with agents. */
  waiting(groupId: string): void {
    this.trace?.push(WAITING, groupId, "", 0, 0);
    this.timings.time("waiting (control)", () => this.acd.waiting(groupId));
  }

  /** Replays a trace: the same calls, back to back. */
  replay(trace: Trace, warmup: number): void {
    for (let i = 0; i < trace.ops.length; i++) {
      this.timings.recording = this.timings.total >= warmup;
      const id = trace.ids[i]!;
      switch (trace.ops[i]) {
        case ENQUEUE: this.enqueue(id, trace.more[i]!, trace.numbers[i]!, trace.times[i]!); break;
        case AVAILABLE: this.agentAvailable(id, trace.times[i]!); break;
        case REQUEUE: this.requeue(id); break;
        case REMOVE: this.remove(id); break;
        case UNAVAILABLE: this.agentUnavailable(id, trace.more[i] as UnavailableState); break;
        case POSITION: this.position(id); break;
        case WAITING: this.waiting(id); break;
      }
    }
  }
}

// ── one run ──────────────────────────────────────────────────────────────────────────────────────────────────

interface RunResult {
  agents: number;
  timings: Timings;
  /** Replaying needs the same groups, logons and warm-up. */
  groups: ServiceGroupDefinition[];
  logons: AcdAgent[];
  trace: Trace;
  warmup: number;
  calls: number;
  closed: number;
  simulatedMinutes: number;
  meanWaiting: number;
  meanReady: number;
  maxWaitingInOneGroup: number;
  seconds: number;
}

interface SimCall {
  readonly groupId: string;
  status: "waiting" | "ringing";
  agent: string | undefined;
}

function exponential(random: SeededRandom, mean: number): number {
  return -Math.log(1 - random.next()) * mean;
}

function run(args: Args, agentCount: number): RunResult {
  const random = seededRandom(args.seed);
  const groups: ServiceGroupDefinition[] = [];
  for (let i = 0; i < args.groups; i++) {
    groups.push(i < args.star ? { id: `star${i}`, openWhen: "loggedOn", members: "*" } : { id: `g${i}`, openWhen: "ready" });
  }
  const named = groups.filter((g) => g.members !== "*").map((g) => g.id);
  const star = groups.filter((g) => g.members === "*").map((g) => g.id);
  const acd = new AcdDispatcher(groups);
  const warmup = Math.min(200_000, Math.floor(args.ops / 5));
  const timings = new Timings(args.ops);
  const trace = new Trace();
  const timed = new TimedDispatcher(acd, timings, trace);
  const logons: AcdAgent[] = [];
  const events = new EventQueue();
  const calls = new Map<string, SimCall>();
  let now = 0;
  let nextCall = 0;
  let closed = 0;

  for (let a = 0; a < agentCount; a++) {
    const logonId = `a${a}`;
    const skills = new Map<string, number>();
    const n = random.between(1, 5);
    while (skills.size < n) skills.set(random.pick(named), random.between(1, 10));
    if (star.length && random.chance(0.1)) skills.set(random.pick(star), random.between(2, 10));
    const agent = { logonId, groups: [...skills].map(([groupId, level]) => ({ groupId, level })) };
    acd.agentLoggedOn(agent);
    logons.push(agent);
    events.push(random.int(10_000), "agentReady", logonId);
  }
  const arrivalMeanMs = (at: number) => SERVICE_MS / (agentCount * LOADS[Math.floor(at / PHASE_MS) % LOADS.length]!);
  events.push(exponential(random, arrivalMeanMs(0)), "arrival", "");

  const offered = (offer: Offer | undefined) => {
    if (!offer) return;
    const call = calls.get(offer.callId)!;
    call.status = "ringing";
    call.agent = offer.logonId;
    events.push(now + random.between(RING_MS[0], RING_MS[1]), "ringEnd", offer.callId);
  };

  let waitingSum = 0;
  let readySum = 0;
  let samples = 0;
  let maxWaitingInOneGroup = 0;
  const started = performance.now();
  while (timings.total < warmup + args.ops) {
    timings.recording = timings.total >= warmup;
    const event = events.pop()!;
    now = event.at;
    switch (event.kind) {
      case "arrival": {
        events.push(now + exponential(random, arrivalMeanMs(now)), "arrival", "");
        const groupId = star.length && random.chance(0.1) ? random.pick(star) : random.pick(named);
        timed.waiting(groupId);
        if (!acd.isOpen(groupId)) {
          closed++;
          break;
        }
        const callId = `c${nextCall++}`;
        calls.set(callId, { groupId, status: "waiting", agent: undefined });
        const priority = random.chance(0.9) ? 0 : random.between(1, 3);
        const offer = timed.enqueue(callId, groupId, priority, now);
        if (offer) offered(offer);
        else {
          events.push(now + exponential(random, PATIENCE_MEAN_MS), "abandon", callId);
          events.push(now + ANNOUNCE_EVERY_MS, "announce", callId);
        }
        break;
      }
      case "ringEnd": {
        const callId = event.id;
        const call = calls.get(callId)!;
        const logonId = call.agent!;
        if (random.chance(ANSWERED)) {
          timed.remove(callId);
          calls.delete(callId);
          timed.agentUnavailable(logonId, "talking");
          events.push(now + exponential(random, TALK_MEAN_MS), "talkEnd", logonId);
        } else {
          // ring time supervision: the call goes back first, then the agent is made not ready
          call.status = "waiting";
          call.agent = undefined;
          offered(timed.requeue(callId));
          if (call.status === "waiting") {
            events.push(now + exponential(random, PATIENCE_MEAN_MS), "abandon", callId);
            events.push(now + ANNOUNCE_EVERY_MS, "announce", callId);
          }
          timed.agentUnavailable(logonId, "idleNotReady");
          events.push(now + NOT_READY_AFTER_MISS_MS, "agentReady", logonId);
        }
        break;
      }
      case "talkEnd": {
        const logonId = event.id;
        timed.agentUnavailable(logonId, "clerical");
        if (random.chance(BREAK_CHANCE)) events.push(now + WRAP_UP_MS + BREAK_MS, "agentReady", logonId);
        else events.push(now + WRAP_UP_MS, "agentReady", logonId);
        break;
      }
      case "agentReady": {
        const logonId = event.id;
        offered(timed.agentAvailable(logonId, now));
        break;
      }
      case "abandon": {
        const call = calls.get(event.id);
        if (call?.status !== "waiting") break; // offered or answered by now
        timed.remove(event.id);
        calls.delete(event.id);
        break;
      }
      case "announce": {
        const call = calls.get(event.id);
        if (call?.status !== "waiting") break;
        timed.position(event.id);
        events.push(now + ANNOUNCE_EVERY_MS, "announce", event.id);
        break;
      }
    }
    if (timings.recording && event.kind === "arrival" && nextCall % 500 === 0) {
      let waiting = 0;
      for (const g of groups) {
        const n = acd.waiting(g.id);
        waiting += n;
        if (n > maxWaitingInOneGroup) maxWaitingInOneGroup = n;
      }
      waitingSum += waiting;
      readySum += acd.readyAgents;
      samples++;
    }
  }
  return {
    agents: agentCount,
    timings,
    groups,
    logons,
    trace,
    warmup,
    calls: nextCall,
    closed,
    simulatedMinutes: now / 60_000,
    meanWaiting: waitingSum / Math.max(1, samples),
    meanReady: readySum / Math.max(1, samples),
    maxWaitingInOneGroup,
    seconds: (performance.now() - started) / 1000,
  };
}

function timerOverheadNs(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const start = performance.now();
    samples[i] = (performance.now() - start) * 1e6;
  }
  samples.sort();
  return Math.round(samples[samples.length >> 1]!);
}

/** The run's dispatcher calls again, on a fresh dispatcher, back to back: the decisions alone, caches warm. */
function replay(run: RunResult, ops: number): Timings {
  const acd = new AcdDispatcher(run.groups);
  for (const agent of run.logons) acd.agentLoggedOn(agent);
  const timings = new Timings(ops);
  new TimedDispatcher(acd, timings, undefined).replay(run.trace, run.warmup);
  return timings;
}

function printTable(title: string, runs: { agents: number; timings: Timings }[]): void {
  const header = [title, ...runs.flatMap((r) => [`n@${r.agents}`, "p50", "p99", "mean"])];
  const rows = KINDS.map((kind) => [kind, ...runs.flatMap((r) => {
    const s = r.timings.summary(kind);
    return [String(s.count), String(s.p50), String(s.p99), s.mean.toFixed(0)];
  })]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(header)}\n${rows.map(line).join("\n")}`);
  if (runs.length < 2) return;
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  console.log(`ratio ${last.agents} / ${first.agents} agents (1.0 = flat)`);
  for (const kind of KINDS) {
    const a = first.timings.summary(kind);
    const b = last.timings.summary(kind);
    if (a.count && b.count) console.log(`  ${kind.padEnd(24)} p50 ×${(b.p50 / a.p50).toFixed(2)}  p99 ×${(b.p99 / a.p99).toFixed(2)}`);
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  console.log(`ACD selection benchmark: ${args.groups} service groups (${args.star} "*"), ${args.ops} timed calls per run, seed ${args.seed}`);
  console.log(`node ${process.version}; timer overhead ${timerOverheadNs()} ns (included in every figure below)\n`);
  const results = args.agents.map((n) => run(args, n));
  for (const r of results) {
    console.log(
      `${r.agents} agents: ${r.calls} calls over ${r.simulatedMinutes.toFixed(0)} simulated minutes (${r.closed} to closed groups) ` +
        `in ${r.seconds.toFixed(1)} s; on average ${r.meanWaiting.toFixed(0)} calls waiting (at most ${r.maxWaitingInOneGroup} in one group), ` +
        `${r.meanReady.toFixed(0)} agents ready`,
    );
  }
  printTable("in the simulation, ns", results);
  printTable("replayed back to back, ns", results.map((r) => ({ agents: r.agents, timings: replay(r, args.ops) })));
}

main();
