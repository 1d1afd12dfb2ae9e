// The one table from bridge events to MIB notifications: which notification, severity, source, the text in the
// manual's style ("Router Service lost connection to OAS."), the alarm key a raise shares with its clear, and
// the values of the notification's own objects. Payloads carry no secrets by construction (no PIN, no
// community); free text still goes through redactText and URIs through redactUri.
import type { BridgeEvents, CallManagerLinkEvent, QueueThresholdEvent } from "../cti/events/event-bus.js";
import type { Notification } from "./notification.js";
import { redactText, redactUri } from "./redact-secrets.js";

/** The named events of BridgeEvents (without its string index signature). */
export type BridgeEventName = keyof {
  [K in keyof BridgeEvents as string extends K ? never : number extends K ? never : K]: true;
};

type Mapper<K extends BridgeEventName> = (...args: BridgeEvents[K]) => Notification;

const ROUTER = "Router Service";

/** Alarm key and peer shared by a link-lost alarm and its clear. */
function linkIdentity(e: CallManagerLinkEvent) {
  return { alarmKey: `ctiLink:${e.callManagerId}`, values: { secPeerName: `${e.name} ${e.host}:${e.port}/${e.transport}` } };
}

/** Varbinds shared by a queue threshold alarm and its clear. */
function queueValues(e: QueueThresholdEvent) {
  return {
    secQueueName: e.serviceGroup,
    secQueueMetricKind: e.metric === "waitingCalls" ? "waitingCalls" : "longestWaitSeconds",
    secMeasuredValue: e.value,
    secThresholdValue: e.threshold,
  };
}
const LOGON_REASON = { unknownUser: "unknown agent ID", wrongPin: "wrong PIN", locked: "account locked" } as const;
const AUTH_REASON = {
  community: "unknown community",
  host: "host not in the accepted hosts",
} as const;

function sentence(text: string): string {
  const t = redactText(text.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export const EVENT_NOTIFICATIONS = {
  "service.started": (e) => ({
    name: "secServiceStarted",
    severity: "cleared",
    source: ROUTER,
    text: `${ROUTER} started (ctibridge ${e.version}).`,
    alarmKey: "service",
    values: {},
  }),
  "service.stopped": (e) => ({
    name: "secServiceStopped",
    severity: "warning",
    source: ROUTER,
    text: sentence(`${ROUTER} stopped (ctibridge ${e.version})${e.reason ? `: ${e.reason}` : ""}`),
    alarmKey: "service",
    values: {},
  }),
  "callManager.linkDown": (e) => ({
    name: "secCtiLinkLost",
    severity: "major",
    source: ROUTER,
    text: sentence(`${ROUTER} lost connection to ${e.name}${e.reason ? ` (${e.reason})` : ""}`),
    ...linkIdentity(e),
  }),
  "callManager.linkUp": (e) => ({
    name: "secCtiLinkRestored",
    severity: "cleared",
    source: ROUTER,
    text: `${ROUTER} reconnected to ${e.name}.`,
    ...linkIdentity(e),
  }),
  "callManager.failover": (e) => ({
    name: "secCtiLinkFailover",
    severity: "warning",
    source: ROUTER,
    text: sentence(`${ROUTER} switched from ${e.name} to call manager ${e.toCallManagerId}${e.reason ? ` (${e.reason})` : ""}`),
    alarmKey: `ctiFailover:${e.site}`,
    values: { secPeerName: e.toCallManagerId },
  }),
  "store.connectionFailed": (e) => ({
    name: "secDatabaseConnFailed",
    severity: "critical",
    source: ROUTER,
    text: sentence(`${ROUTER} lost connection to the database${e.reason ? ` (${e.reason})` : ""}`),
    alarmKey: `database:${e.kind}`,
    values: { secPeerName: e.kind },
  }),
  "store.connectionRestored": (e) => ({
    name: "secDatabaseConnRestored",
    severity: "cleared",
    source: ROUTER,
    text: `${ROUTER} reconnected to the database.`,
    alarmKey: `database:${e.kind}`,
    values: { secPeerName: e.kind },
  }),
  "agent.logonFailed": (e) => ({
    name: "secAgentLogonFailed",
    severity: "minor",
    source: "Phone Agent Logon",
    text: `Phone agent logon failed for agent ${e.logonId} at extension ${e.extension}: ${LOGON_REASON[e.reason]}.`,
    alarmKey: `agentLogon:${e.logonId}`,
    values: { secAgentId: e.logonId, secPeerName: e.extension },
  }),
  "agent.lockedOut": (e) => ({
    name: "secAgentLockedOut",
    severity: "major",
    source: "Phone Agent Logon",
    text: `Phone agent ${e.logonId} locked after ${e.failedAttempts} failed logon attempts (last from extension ${e.extension}).`,
    alarmKey: `agentLockout:${e.logonId}`,
    values: { secAgentId: e.logonId, secFailureCount: e.failedAttempts, secPeerName: e.extension },
  }),
  "ivr.scriptError": (e) => ({
    name: "secIvrScriptError",
    severity: "minor",
    source: "Script Manager",
    text: sentence(`IVR script ${e.script} failed in block ${e.block}: ${e.message}`),
    alarmKey: `ivrScript:${e.script}`,
    values: { secScriptName: e.script, secCallId: e.callId },
  }),
  "media.portsExhausted": (e) => ({
    name: "secMediaResourceExhausted",
    severity: "major",
    source: "Media Server",
    text: `Media Server has no free media ports (${e.total - e.free} of ${e.total} in use).`,
    alarmKey: "mediaPorts",
    values: { secResourceName: "media ports", secMeasuredValue: e.total - e.free, secThresholdValue: e.total },
  }),
  "media.portsAvailable": (e) => ({
    name: "secMediaResourceAvailable",
    severity: "cleared",
    source: "Media Server",
    text: `Media Server has free media ports again (${e.free} of ${e.total} free).`,
    alarmKey: "mediaPorts",
    values: { secResourceName: "media ports", secMeasuredValue: e.total - e.free, secThresholdValue: e.total },
  }),
  "queue.thresholdExceeded": (e) => ({
    name: "secQueueThresholdExceeded",
    severity: "minor",
    source: ROUTER,
    text:
      e.metric === "waitingCalls"
        ? `Service group ${e.serviceGroup} has ${e.value} waiting calls (threshold ${e.threshold}).`
        : `Service group ${e.serviceGroup} has a call waiting ${e.value} s (threshold ${e.threshold} s).`,
    alarmKey: `queue:${e.serviceGroup}:${e.metric}`,
    values: queueValues(e),
  }),
  "queue.thresholdCleared": (e) => ({
    name: "secQueueThresholdCleared",
    severity: "cleared",
    source: ROUTER,
    text:
      e.metric === "waitingCalls"
        ? `Service group ${e.serviceGroup} is below the threshold again (${e.value} waiting calls, threshold ${e.threshold}).`
        : `Service group ${e.serviceGroup} is below the threshold again (longest wait ${e.value} s, threshold ${e.threshold} s).`,
    alarmKey: `queue:${e.serviceGroup}:${e.metric}`,
    values: queueValues(e),
  }),
  "recording.joinFailed": (e) => ({
    name: "secRecordingJoinFailed",
    severity: "minor",
    source: "Media Server",
    text: sentence(`Recorder ${e.recorder} could not join call ${e.callId}${e.reason ? `: ${e.reason}` : ""}`),
    alarmKey: `recording:${e.callId}`,
    values: { secRecordingUri: redactUri(e.recordingUri), secCallId: e.callId, secPeerName: e.recorder },
  }),
  "customerAuth.reserveTimeout": (e) => ({
    name: "secCustomerAuthTimeout",
    severity: "warning",
    source: ROUTER,
    text: `Agent ${e.logonId} released: the caller on call ${e.callId} did not return from customer authentication within ${e.reserveSeconds} s.`,
    alarmKey: `customerAuth:${e.logonId}`,
    values: { secAgentId: e.logonId, secCallId: e.callId, secScriptName: e.script, secTimeoutSeconds: e.reserveSeconds },
  }),
  "snmp.authenticationFailure": (e) => ({
    name: "secSnmpAuthFailure",
    severity: "warning",
    source: "SNMP Agent",
    text: `SNMP agent rejected a request from ${e.sourceAddress}: ${AUTH_REASON[e.reason]}.`,
    alarmKey: `snmpAuth:${e.sourceAddress}`,
    values: { secPeerName: `${e.sourceAddress}:${e.sourcePort}` },
  }),
} satisfies { [K in BridgeEventName]?: Mapper<K> };

/** The forwarded events. agent.logon, agent.logoff and agent.stateChanged are state, not alarms: not forwarded. */
export type ForwardedEventName = keyof typeof EVENT_NOTIFICATIONS;

export function forwardedEventNames(): ForwardedEventName[] {
  return Object.keys(EVENT_NOTIFICATIONS) as ForwardedEventName[];
}

/** Maps one event; the mapper's argument tuple is the event's. */
export function toNotification<K extends ForwardedEventName>(event: K, ...args: BridgeEvents[K]): Notification {
  return (EVENT_NOTIFICATIONS[event] as unknown as Mapper<K>)(...args);
}
