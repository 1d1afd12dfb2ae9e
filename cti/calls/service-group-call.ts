// One caller to a service access, from the moment the bridge answers until both legs are gone: which group it
// waits in, its queue order, the agent leg being offered or talking, and the views and event payloads built from it.
//
//   queued ──offer──► ringing ──answer──► talking ──BYE (either side)──► ended
//     ▲  │              │ no answer / busy: requeued at its place
//     │  └──maxWait / closed──► routed (overflow destination) ──► ended
//     └──────────────────┘   caller hangs up anywhere ──► ended (abandoned while queued or ringing)
import type { IncomingCall } from "../sip/index.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { MediaRoom } from "../../ivr/media/media-room.js";
import type { CallEventBase } from "../events/event-bus.js";
import type { ServiceAccessConfig, ServiceGroupConfig } from "../config/schema.js";
import type { Agent } from "../agents/agent.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { CallView } from "../api/acd-view.js";
import { HEADERS_COPIED_TO_PHONES } from "../sip/cti-headers.js";
import type { QueueTreatment } from "./queue-treatment.js";
import type { PersonalOffer } from "./personal-routing/personal-call-hook.js";

/** authenticating: sent by its agent to customer authentication, the agent reserved (customer-authentication/). */
export type ServiceGroupCallState = "queued" | "ringing" | "talking" | "authenticating" | "routed" | "ended";

/** The agent leg being offered (ringing) or connected. */
export interface AgentLeg {
  agent: Agent;
  /** Undefined while the media port is being opened. */
  leg: OutboundLeg | undefined;
  ringTimer: NodeJS.Timeout | undefined;
  offeredAt: number;
  /** Set once the offer is given up (timeout, busy, caller gone), so late SIP events are ignored. */
  abandoned: boolean;
  /** Set when personal call routing made the offer: its ring time, the agent's state before, who awaits the end. */
  personal?: PersonalOffer;
}

/** A new offer to `agent`: `leg` when the phone's call already exists (an attended transfer's INVITE with Replaces). */
export function agentLeg(agent: Agent, leg?: OutboundLeg): AgentLeg {
  return { agent, leg, ringTimer: undefined, offeredAt: Date.now(), abandoned: false };
}

export class ServiceGroupCall {
  readonly caller: IncomingCall;
  readonly endpoint: MediaEndpoint;
  readonly access: ServiceAccessConfig;
  readonly arrivedAt = Date.now();
  group: ServiceGroupConfig;
  state: ServiceGroupCallState = "queued";
  /** When it last entered a queue (for the maximum wait of that group). */
  queuedAt = Date.now();
  offer: AgentLeg | undefined;
  room: MediaRoom | undefined;
  treatment: QueueTreatment | undefined;
  maxWaitTimer: NodeJS.Timeout | undefined;
  answeredAt: number | undefined;
  /** Associated data of a caller returned from customer authentication (on the agent's INVITE, events, views). */
  associatedData: string | undefined;
  /** Resolves when the caller's call is over and everything it held is released. */
  readonly done: Promise<void>;
  readonly finish: () => void;

  constructor(caller: IncomingCall, endpoint: MediaEndpoint, access: ServiceAccessConfig, group: ServiceGroupConfig) {
    this.caller = caller;
    this.endpoint = endpoint;
    this.access = access;
    this.group = group;
    let finish!: () => void;
    this.done = new Promise<void>((resolve) => (finish = resolve));
    this.finish = finish;
  }

  get callId(): string {
    return this.caller.callId;
  }

  get eventBase(): CallEventBase {
    const caller = this.caller;
    return {
      callId: caller.callId,
      dialed: caller.dialedNumber,
      caller: caller.callerName !== undefined ? { number: caller.callerNumber, name: caller.callerName } : { number: caller.callerNumber },
      serviceAccess: this.access.id,
      serviceGroup: this.group.id,
    };
  }

  /** The bridge's headers on every call it places for this caller (the Asterisk dialplan copies them to phones). */
  get outboundHeaders(): Record<string, string> {
    return { [HEADERS_COPIED_TO_PHONES.callId]: this.callId, [HEADERS_COPIED_TO_PHONES.serviceGroup]: this.group.id };
  }

  view(position: number | undefined, now = Date.now()): CallView | undefined {
    const state = this.state;
    if (state === "ended") return undefined;
    const base = this.eventBase;
    const agent = this.offer?.agent;
    return {
      ...base,
      state,
      ...(state === "queued" && position !== undefined ? { position } : {}),
      ...(agent ? { logonId: agent.logonId, extension: agent.extension } : {}),
      arrivedAt: new Date(this.arrivedAt).toISOString(),
      ...(this.answeredAt !== undefined ? { answeredAt: new Date(this.answeredAt).toISOString() } : {}),
      waitMs: (this.answeredAt ?? now) - this.arrivedAt,
      ...(this.associatedData !== undefined ? { associatedData: this.associatedData } : {}),
    };
  }
}
