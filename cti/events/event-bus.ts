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
  "customerAuth.reserveTimeout": [CustomerAuthReserveTimeoutEvent];
  "snmp.authenticationFailure": [SnmpAuthenticationFailureEvent];
}

export class EventBus extends TypedEmitter<BridgeEvents> {}
