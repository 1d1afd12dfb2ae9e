// The daemon's one in-process event bus. Everything an integration, the SNMP forwarder or the CDR writer may
// want to know is published here with a typed payload; producers never call consumers directly.
import { TypedEmitter } from "./typed-emitter.js";

export type AgentStateName =
  | "loggedOff"
  | "idleReady"
  | "idleNotReady"
  | "reserved"
  | "talking"
  | "callWaiting"
  | "callback"
  | "clerical";

export interface CallManagerLinkEvent {
  callManagerId: string;
  name: string;
  site: string;
  host: string;
  port: number;
  transport: "udp" | "tcp";
  /** Why the state changed, for logs and trap text ("no answer to OPTIONS for 3 s"). */
  reason: string;
}

export interface AgentLogonEvent {
  logonId: string;
  extension: string;
  callManagerId: string;
  /** How the agent was logged on. */
  via: "dial" | "api" | "restore" | "script";
}

export interface AgentLogoffEvent {
  logonId: string;
  extension: string;
  callManagerId: string;
  via: "dial" | "api" | "moved" | "replaced" | "script";
}

export interface AgentStateChangedEvent {
  logonId: string;
  extension: string;
  from: AgentStateName;
  to: AgentStateName;
  reason?: string;
}

export interface AgentLogonFailedEvent {
  /** The logon ID keyed in (may not exist); never the PIN. */
  logonId: string;
  extension: string;
  sourceAddress: string;
  reason: "unknownUser" | "wrongPin" | "locked";
}

export interface AgentLockedOutEvent {
  logonId: string;
  extension: string;
  sourceAddress: string;
  failedAttempts: number;
}

export interface ScriptErrorEvent {
  script: string;
  block: string;
  callId: string;
  message: string;
}

export interface MediaPortsEvent {
  total: number;
  free: number;
}

export interface ServiceLifecycleEvent {
  version: string;
  reason: string;
}

export interface StoreConnectionEvent {
  kind: "sqlite" | "mssql";
  reason: string;
}

export interface QueueThresholdEvent {
  serviceGroup: string;
  metric: "waitingCalls" | "longestWait";
  /** Calls waiting, or seconds the longest-waiting call has waited. */
  value: number;
  threshold: number;
}

export interface RecordingJoinFailedEvent {
  callId: string;
  /** The URI the recorder used; the SNMP forwarder strips user info and tokens before sending it. */
  recordingUri: string;
  /** The recorder's address (host:port). */
  recorder: string;
  reason: string;
}

/** Recording of an agent's conversation started, stopped, paused or resumed (cti/recording/recording-session.ts). */
export interface RecordingStateEvent {
  callId: string;
  logonId: string;
  extension: string;
  /** Absent for a call that is not a service group's. */
  serviceGroup?: string;
  /** The conversation's recording URI (as in call.established): a recorder may INVITE it while recording. */
  recordingUri: string;
  /** mode: the recording mode records from the start (published right after call.established); request: the Open Interface. */
  cause: "mode" | "request";
}

export interface CustomerAuthReserveTimeoutEvent {
  logonId: string;
  extension: string;
  callId: string;
  script: string;
  /** The max reserve time that expired (manual default 120 s). */
  reserveSeconds: number;
}

export interface SnmpAuthenticationFailureEvent {
  sourceAddress: string;
  sourcePort: number;
  /** community: an unknown community (never included in the event); host: not in the accepted hosts. */
  reason: "community" | "host";
}

/** Who a call is from, as the caller's INVITE said. */
export interface CallParty {
  number: string;
  name?: string;
}

/** What every call event carries. `callId` is the bridge's id of the call: the caller leg's SIP Call-ID. */
export interface CallEventBase {
  callId: string;
  /** The BVD the caller dialed. */
  dialed: string;
  caller: CallParty;
  serviceAccess: string;
  serviceGroup: string;
}

export interface CallQueuedEvent extends CallEventBase {
  /** 1-based position in the group's queue when queued. */
  position: number;
  priority: number;
  /** true when the call came back to the queue after an offer failed. */
  requeued: boolean;
}

export interface CallDeliveredEvent extends CallEventBase {
  /** The agent whose phone is ringing. */
  logonId: string;
  extension: string;
  callManagerId: string;
  /** SIP Call-ID of the bridge's INVITE to the agent. */
  agentCallId: string;
  /** A caller returned from customer authentication: the script's (or SetAgentIVRData's) associated data. */
  associatedData?: string;
}

export interface CallEstablishedEvent extends CallEventBase {
  logonId: string;
  extension: string;
  agentCallId: string;
  /** SIP URI a recorder may INVITE to join the conversation; filled by the recording feature, else undefined. */
  recordingUri: string | undefined;
  /** How long the caller waited, queue and ringing together. */
  waitMs: number;
  /** A caller returned from customer authentication: the script's (or SetAgentIVRData's) associated data. */
  associatedData?: string;
}

/**
 * A caller sent by its agent to customer authentication (manual: Diverted, Parked, Call Deflected to other
 * Destination). The agent stays reserved for the caller's return (cti/calls/customer-authentication/).
 */
export interface CallDivertedEvent extends CallEventBase {
  /** The agent the caller was talking to, reserved until the caller returns or the reserve time runs out. */
  logonId: string;
  extension: string;
  /** Exactly customerAuthentication.number. */
  newDestination: string;
  /** transfer: the agent's phone (REFER / Asterisk hairpin); featureCode: DTMF on the agent leg; api: DeflectPhoneAgentCall. */
  via: "transfer" | "featureCode" | "api";
}

/**
 * An agent transferred the caller (manual: "Transfer of Service Group Voice Calls", "Attendant Agent"): the agent's
 * part of the call is over (it goes to its after-call state), the bridge holds the caller and offers or calls the
 * target (cti/calls/agent-transfer/).
 */
export interface CallTransferredEvent extends CallEventBase {
  /** The transferring agent. */
  logonId: string;
  extension: string;
  /** The number the agent transferred to, as asked. */
  to: string;
  /** agent: offered to the agent at that extension as a service group call; number: the bridge calls it (attendant
   * rules for an attendant group); serviceGroup: a BVD of another service access, the caller queues there. */
  kind: "agent" | "number" | "serviceGroup";
  /** The target agent (kind agent). */
  toLogonId?: string;
  /** refer: the phone's REFER; hairpin: Asterisk's marked INVITE; api: POST /calls/{callId}/transfer. */
  via: "refer" | "hairpin" | "api";
  /** Set for an attended transfer: the target had answered a consultation call, which the bridge's call replaced
   * (REFER with Replaces, RFC 5589); the caller went from the transferring agent straight to the target. */
  attended?: boolean;
  /** The transferring agent's talk time on the call. */
  talkMs: number;
}

/** An attendant transfer came back to the attendant agent: the target was busy, did not answer, or is invalid. */
export interface CallRecalledEvent extends CallEventBase {
  /** The attendant agent the call recalls to. */
  logonId: string;
  extension: string;
  to: string;
  reason: "busy" | "noAnswer" | "invalidNumber" | "failed";
  sipStatus?: number;
}

export interface CallOfferFailedEvent extends CallEventBase {
  logonId: string;
  extension: string;
  /** noAnswer: ring time supervision expired (CANCEL sent); busy/declined/failed: the phone's final answer. */
  reason: "noAnswer" | "busy" | "declined" | "failed";
  sipStatus?: number;
}

export interface CallClearedEvent extends CallEventBase {
  logonId: string;
  extension: string;
  /** Which side hung up first. */
  releasedBy: "caller" | "agent" | "system";
  talkMs: number;
}

export interface CallAbandonedEvent extends CallEventBase {
  /** Where the caller was when hanging up. */
  stage: "queue" | "ringing";
  waitMs: number;
  /** The agent being offered the call, when the caller hung up while it rang. */
  logonId?: string;
}

/** A personal call entered (or became generally available in) its group's dispatch queue (cti/calls/personal-routing/). */
export interface DispatchQueuedEvent extends CallEventBase {
  /** The called personal directory number, when the call named one. */
  personalNumber?: string;
  /** The agent that number belongs to. */
  logonId?: string;
  /** personal: reserved for that agent (busy) until the Maximum Wait Time for Personal Call; general: every agent of the group. */
  availability: "personal" | "general";
  reason: "unidentified" | "busy" | "notLoggedOn" | "noAnswer" | "maxWait" | "pickNotAnswered";
}

/** An agent picked a call from the dispatch queue; its phone is called next (call.delivered). */
export interface DispatchPickedEvent extends CallEventBase {
  logonId: string;
  extension: string;
  personalNumber?: string;
  /** Since the caller arrived. */
  waitMs: number;
}

/** A personal call was deflected to a default destination (the agent's, else the system's), which answered. */
export interface DispatchDeflectedEvent extends CallEventBase {
  destination: string;
  personalNumber?: string;
  /** The agent whose personal number was called. */
  logonId?: string;
  waitMs: number;
}

export interface CallOverflowEvent extends CallEventBase {
  /** Why the call left the queue for its overflow or closed-group treatment; defaultDestination: a personal call
   * deflected to its agent's or the system's default destination (cti/calls/personal-routing/). */
  reason: "maxWait" | "closed" | "defaultDestination";
  destination: string;
  waitMs: number;
}

/**
 * What every event of a call an agent makes (MakeCall) carries. `callId` is the bridge's id of the call: the SIP
 * Call-ID of its INVITE to the agent's phone, the call's first leg.
 */
export interface AgentCallEventBase {
  callId: string;
  direction: "outbound";
  logonId: string;
  extension: string;
  callManagerId: string;
  /** The number the agent asked for, as given (the bridge does no number translation). */
  destination: string;
  /** The custom caller ID the call goes out with; absent: the agent's own number. */
  callerId?: { name: string; callerId: string };
  /** The service group the call is made for; absent for a private call. */
  serviceGroup?: string;
}

/** The agent's phone is ringing (From: the destination, so the phone shows whom it will call). */
export type AgentCallInitiatedEvent = AgentCallEventBase;

/** The agent answered; the INVITE to the destination is out. */
export interface AgentCallOriginatedEvent extends AgentCallEventBase {
  /** SIP Call-ID of the bridge's INVITE to the destination. */
  destinationCallId: string;
  /** The Request-URI user sent: the destination, with the caller ID string in front on an OAS call manager. */
  dialed: string;
  /** The From and P-Asserted-Identity user sent: the caller ID string on TAS, else the agent's extension. */
  presented: string;
}

/** The destination answered; the two legs are joined in a media room. */
export interface AgentCallConnectedEvent extends AgentCallEventBase {
  destinationCallId: string;
  /** SIP URI a recorder may INVITE to join the conversation; filled by the recording feature, else undefined. */
  recordingUri: string | undefined;
  /** From the MakeCall request until the destination answered. */
  setupMs: number;
}

export interface AgentCallEndedEvent extends AgentCallEventBase {
  /** Where the call was: the agent's phone ringing, the destination ringing, or the conversation. */
  stage: "agentRinging" | "dialing" | "connected";
  /** Who ended it; system: the ring time ran out, or the bridge stopped. */
  releasedBy: "agent" | "destination" | "system";
  /** hangUp after an answer; otherwise why the leg did not connect; cancelled: the agent was logged off while its
   * phone rang, or the bridge stopped. */
  reason: "hangUp" | "noAnswer" | "busy" | "declined" | "failed" | "cancelled";
  sipStatus?: number;
  talkMs: number;
}

/** Event name → argument tuple. Names are the bridge's; the SNMP MIB maps each to a notification. */
export interface BridgeEvents {
  [event: string]: unknown[];
  "service.started": [ServiceLifecycleEvent];
  "service.stopped": [ServiceLifecycleEvent];
  "callManager.linkUp": [CallManagerLinkEvent];
  "callManager.linkDown": [CallManagerLinkEvent];
  "callManager.failover": [CallManagerLinkEvent & { toCallManagerId: string }];
  "store.connectionFailed": [StoreConnectionEvent];
  "store.connectionRestored": [StoreConnectionEvent];
  "agent.logon": [AgentLogonEvent];
  "agent.logoff": [AgentLogoffEvent];
  "agent.stateChanged": [AgentStateChangedEvent];
  "agent.logonFailed": [AgentLogonFailedEvent];
  "agent.lockedOut": [AgentLockedOutEvent];
  "ivr.scriptError": [ScriptErrorEvent];
  "media.portsExhausted": [MediaPortsEvent];
  "media.portsAvailable": [MediaPortsEvent];
  "queue.thresholdExceeded": [QueueThresholdEvent];
  "queue.thresholdCleared": [QueueThresholdEvent];
  "recording.joinFailed": [RecordingJoinFailedEvent];
  "recording.started": [RecordingStateEvent];
  "recording.stopped": [RecordingStateEvent];
  "recording.paused": [RecordingStateEvent];
  "recording.resumed": [RecordingStateEvent];
  "customerAuth.reserveTimeout": [CustomerAuthReserveTimeoutEvent];
  "snmp.authenticationFailure": [SnmpAuthenticationFailureEvent];
  "call.queued": [CallQueuedEvent];
  "call.delivered": [CallDeliveredEvent];
  "call.established": [CallEstablishedEvent];
  "call.offerFailed": [CallOfferFailedEvent];
  "call.cleared": [CallClearedEvent];
  "call.abandoned": [CallAbandonedEvent];
  "call.overflowed": [CallOverflowEvent];
  "dispatch.queued": [DispatchQueuedEvent];
  "dispatch.picked": [DispatchPickedEvent];
  "dispatch.deflected": [DispatchDeflectedEvent];
  "call.transferred": [CallTransferredEvent];
  "call.recalled": [CallRecalledEvent];
  "call.diverted": [CallDivertedEvent];
  "call.parked": [CallDivertedEvent];
  "call.deflected": [CallDivertedEvent];
  "call.initiated": [AgentCallInitiatedEvent];
  "call.originated": [AgentCallOriginatedEvent];
  "call.connected": [AgentCallConnectedEvent];
  "call.ended": [AgentCallEndedEvent];
}

export class EventBus extends TypedEmitter<BridgeEvents> {}
