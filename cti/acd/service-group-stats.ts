// Agent counts by state per service group (one row per group, and one row of all agents, which is what a "*"
// group sees), kept up to date on every state change the dispatcher is told about, and the open condition
// computed from them. All rows live in one typed array: a state change touches a few adjacent integers, not one
// object per group.
//
// "Ready" in the open condition is the manual's ready status ("at least one agent is logged on and in Ready
// status"): the agent has not made itself not ready. An agent talking or in wrap-up after a call it took while
// ready still counts, otherwise a group whose agents are all busy would close and stop queueing callers.
import type { AgentState } from "../agents/agent-state.js";
import type { OpenCondition } from "./service-group.js";

export type LoggedOnState = Exclude<AgentState, "loggedOff">;
export type AgentCountsByState = Record<LoggedOnState, number>;

export interface AgentCounts extends AgentCountsByState {
  loggedOn: number;
  /** Logged on and not in idleNotReady: the agents who will take this group's calls (for the wait estimate). */
  serving: number;
}

const STATES: readonly LoggedOnState[] = ["idleReady", "idleNotReady", "reserved", "talking", "callWaiting", "callback", "clerical"];
const LOGGED_ON = STATES.length;
const ROW = STATES.length + 1;

/** Column of a state (a switch: cheaper than a keyed property on every state change). */
function column(state: LoggedOnState): number {
  switch (state) {
    case "idleReady": return 0;
    case "idleNotReady": return 1;
    case "reserved": return 2;
    case "talking": return 3;
    case "callWaiting": return 4;
    case "callback": return 5;
    case "clerical": return 6;
  }
}

export class AgentStateTable {
  readonly #cells: Int32Array;

  constructor(rows: number) {
    this.#cells = new Int32Array(rows * ROW);
  }

  add(row: number, state: LoggedOnState): void {
    this.#cells[row * ROW + column(state)]!++;
    this.#cells[row * ROW + LOGGED_ON]!++;
  }

  remove(row: number, state: LoggedOnState): void {
    this.#cells[row * ROW + column(state)]!--;
    this.#cells[row * ROW + LOGGED_ON]!--;
  }

  move(row: number, from: LoggedOnState, to: LoggedOnState): void {
    this.#cells[row * ROW + column(from)]!--;
    this.#cells[row * ROW + column(to)]!++;
  }

  loggedOn(row: number): number {
    return this.#cells[row * ROW + LOGGED_ON]!;
  }

  serving(row: number): number {
    return this.loggedOn(row) - this.#cells[row * ROW + column("idleNotReady")]!;
  }

  isOpen(row: number, condition: OpenCondition): boolean {
    return condition === "loggedOn" ? this.loggedOn(row) > 0 : this.serving(row) > 0;
  }

  snapshot(row: number): AgentCounts {
    const counts = Object.fromEntries(STATES.map((state, i) => [state, this.#cells[row * ROW + i]!])) as AgentCountsByState;
    return { ...counts, loggedOn: this.loggedOn(row), serving: this.serving(row) };
  }
}
