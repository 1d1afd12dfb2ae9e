// Which bus events a GET /events client receives. Query parameters, combinable (all must hold):
//   events=call.*,agent.stateChanged   names or prefix wildcards ("call.*", "*"); default: every streamed event
//   serviceGroup=sales,support         events whose serviceGroup is one of these
//   logonId=1001                       events whose logonId is one of these
//   callId=…                           events whose callId is one of these
// A field filter drops events that do not carry the field: logonId=1001 gives 1001's agent events and the calls
// delivered to 1001, not every queued call.
import { CtiError, Errors } from "../errors.js";

/** Bus events streamed to clients. Never agent.logonFailed / agent.lockedOut (attack signals, not CTI events). */
export const STREAMED_EVENTS = [
  "call.queued",
  "call.delivered",
  "call.established",
  "call.offerFailed",
  "call.cleared",
  "call.abandoned",
  "call.overflowed",
  "dispatch.queued",
  "dispatch.picked",
  "dispatch.deflected",
  "call.diverted",
  "call.parked",
  "call.deflected",
  "call.transferred",
  "call.recalled",
  "call.initiated",
  "call.originated",
  "call.connected",
  "call.ended",
  "agent.logon",
  "agent.logoff",
  "agent.stateChanged",
  "callManager.linkUp",
  "callManager.linkDown",
  "callManager.failover",
  "recording.started",
  "recording.stopped",
  "recording.paused",
  "recording.resumed",
  "customerAuth.reserveTimeout",
] as const;

export type StreamedEvent = (typeof STREAMED_EVENTS)[number];

export interface EventFilterQuery {
  events?: string;
  serviceGroup?: string;
  logonId?: string;
  callId?: string;
}

export interface EventFilter {
  events: ReadonlySet<StreamedEvent>;
  /** Field name in the event data → accepted values. */
  fields: ReadonlyMap<"serviceGroup" | "logonId" | "callId", ReadonlySet<string>>;
}

function list(name: string, value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new CtiError(Errors.BAD_REQUEST, `${name}: empty item in "${value}"`);
  return items;
}

function eventsMatching(pattern: string): StreamedEvent[] {
  if (pattern.endsWith("*")) {
    const prefix = pattern.slice(0, -1);
    return STREAMED_EVENTS.filter((e) => e.startsWith(prefix));
  }
  return STREAMED_EVENTS.filter((e) => e === pattern);
}

export function parseEventFilter(query: EventFilterQuery): EventFilter {
  let events: Set<StreamedEvent>;
  if (query.events === undefined) events = new Set(STREAMED_EVENTS);
  else {
    events = new Set();
    for (const pattern of list("events", query.events)) {
      const matched = eventsMatching(pattern);
      if (matched.length === 0) {
        throw new CtiError(Errors.BAD_REQUEST, `events: "${pattern}" is not a streamed event (streamed: ${STREAMED_EVENTS.join(", ")})`);
      }
      for (const e of matched) events.add(e);
    }
  }
  const fields = new Map<"serviceGroup" | "logonId" | "callId", ReadonlySet<string>>();
  for (const name of ["serviceGroup", "logonId", "callId"] as const) {
    const value = query[name];
    if (value !== undefined) fields.set(name, new Set(list(name, value)));
  }
  return { events, fields };
}

export function eventMatches(filter: EventFilter, event: StreamedEvent, data: Readonly<Record<string, unknown>>): boolean {
  if (!filter.events.has(event)) return false;
  for (const [field, accepted] of filter.fields) {
    const value = data[field];
    if (typeof value !== "string" || !accepted.has(value)) return false;
  }
  return true;
}

/** For logs: the filter as the client wrote it (no token). */
export function describeFilter(query: EventFilterQuery): Record<string, string> {
  const described: Record<string, string> = {};
  for (const name of ["events", "serviceGroup", "logonId", "callId"] as const) {
    const value = query[name];
    if (value !== undefined) described[name] = value;
  }
  return described;
}
