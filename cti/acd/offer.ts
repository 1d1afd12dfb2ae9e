// An offer is the dispatcher's decision "ring this agent with this call". Making it takes the agent out of the
// ready index (its state becomes reserved) and the call out of its queue, so neither can be chosen again until
// the lead reports how the offer ended.
//
//   enqueue ──► waiting ──(agent free)──► offered ──remove() (answered, abandoned)──► gone
//                  ▲    ╲                    │
//                  │     remove() ──► gone   │ requeue() (ring timeout, busy, decline):
//                  └─────────────────────────┘ back at its original place, or offered at once to a ready agent
//
// A call's callId is the caller leg's SIP Call-ID; it is known to the dispatcher from enqueue() until remove().

export interface Offer {
  readonly callId: string;
  readonly groupId: string;
  readonly logonId: string;
}
