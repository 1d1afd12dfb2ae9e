// Agent states and the one transition table. Every state change goes through assertTransition(); an illegal move
// throws, so a bug shows up at once instead of as an agent stuck in a state (the complaint in acd-anchors.md).
//
//                 logon                  offer            answer
//   loggedOff ─────────────► idleReady ─────────► reserved ───────► talking ──► clerical ──► idleReady
//       ▲          ▲  │ ready/notReady ▲              │ no answer        │ │                     │
//       │ logoff   │  ▼                │              ▼                  │ ▼ divert to auth       │
//       └──────── idleNotReady ◄───────┴──────── idleNotReady          │ callWaiting ─► callback ─► talking
//                                                                       ▼
//                                                                   idleNotReady / idleReady (no clerical time)
import type { AgentStateName } from "../events/event-bus.js";
import { CtiError, Errors } from "../errors.js";

export type AgentState = AgentStateName;

const TRANSITIONS: Record<AgentState, readonly AgentState[]> = {
  loggedOff: ["idleReady", "idleNotReady"],
  idleReady: ["idleNotReady", "reserved", "loggedOff"],
  idleNotReady: ["idleReady", "reserved", "loggedOff"],
  reserved: ["talking", "idleReady", "idleNotReady", "loggedOff"],
  talking: ["clerical", "idleReady", "idleNotReady", "callWaiting", "loggedOff"],
  callWaiting: ["callback", "clerical", "idleReady", "idleNotReady", "loggedOff"],
  callback: ["talking", "clerical", "idleReady", "idleNotReady", "loggedOff"],
  clerical: ["idleReady", "idleNotReady", "loggedOff"],
};

export function canTransition(from: AgentState, to: AgentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: AgentState, to: AgentState): void {
  if (!canTransition(from, to)) throw new CtiError(Errors.AGENT_STATE, `${from} → ${to} is not allowed`);
}

/** Whether a state counts as "voice ready" for the phone_agent_logon table. */
export function isReadyState(state: AgentState): boolean {
  return state === "idleReady";
}
