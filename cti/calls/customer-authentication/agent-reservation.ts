// One caller at customer authentication and the agent reserved for its return (manual: "Using Customer
// Authentication"). The reservation ends in exactly one way: the caller is back at the agent, or the agent is
// released (reserve time over, the returned call not answered, the caller gone, the agent logged off).
//
//   waiting ──deflect──► returning ──agent answers──► returned (the distributor has the conversation again)
//      ▲                     │ no answer / busy: released (failure branch)
//      └── dial failed ──────┘
//   waiting | returning ──reserve time over / caller gone / agent logged off──► released
import type { ServiceGroupConfig } from "../../config/schema.js";
import type { HandOffResult } from "../../../ivr/call-hand-off.js";
import type { OutboundLeg } from "../outbound-leg.js";
import type { ServiceGroupCall } from "../service-group-call.js";

export type ReservationState = "waiting" | "returning" | "returned" | "released";

export class AgentReservation {
  readonly call: ServiceGroupCall;
  readonly logonId: string;
  readonly extension: string;
  readonly group: ServiceGroupConfig;
  readonly divertedAt = Date.now();
  state: ReservationState = "waiting";
  reserveTimer: NodeJS.Timeout | undefined;
  ringTimer: NodeJS.Timeout | undefined;
  /** Set by SetAgentIVRData; the deflect block's non-empty associated data replaces it. */
  integrationData: string | undefined;
  /** The call back to the agent while it rings. */
  returning: OutboundLeg | undefined;
  /** Settles the deflect block waiting for the agent to answer. */
  settle: ((result: HandOffResult) => void) | undefined;
  /** Detaches the reservation's listener from the caller's call. */
  detach: () => void = () => undefined;

  constructor(call: ServiceGroupCall, logonId: string, extension: string, group: ServiceGroupConfig) {
    this.call = call;
    this.logonId = logonId;
    this.extension = extension;
    this.group = group;
  }

  get active(): boolean {
    return this.state === "waiting" || this.state === "returning";
  }

  /** Settles a waiting deflect block once. */
  finishDeflect(result: HandOffResult): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(result);
  }
}
