// SNMP for the daemon in one call: subscribes to the event bus, maps events to MIB notifications
// (event-notifications.ts), damps floods per alarm key, numbers and times each notification once, and hands it
// to every destination (traps, or informs with a bounded queue); optionally runs the SNMP agent and the queue
// threshold watcher.
//
//   bus event ─► toNotification ─► FloodDamper(alarm key) ─► stamp (sequence, time) + varbinds ─► each target
import { createHash } from "node:crypto";
import { hostname as osHostname, networkInterfaces } from "node:os";
import type { BridgeEvents, EventBus } from "../cti/events/event-bus.js";
import type { Logger } from "../cti/log.js";
import { forwardedEventNames, toNotification, type ForwardedEventName } from "./event-notifications.js";
import { FloodDamper } from "./flood-damper.js";
import { DEFAULT_MIB_FILE, MibCatalog } from "./mib-catalog.js";
import { buildVarbinds, type Notification } from "./notification.js";
import { NotificationTarget, type OutgoingNotification, type TargetStats } from "./notification-target.js";
import { QueueThresholdWatcher } from "./queue-threshold-watcher.js";
import { SnmpAgent } from "./snmp-agent.js";
import type { SnmpConfig } from "./snmp-config.js";
import type { SnmpStatusProvider } from "./snmp-status-provider.js";

export type { SnmpStatusProvider } from "./snmp-status-provider.js";

export interface SnmpStats {
  /** Sequence number of the last notification sent (0 = none yet). */
  sequence: number;
  /** Over all destinations: traps sent or informs acknowledged. */
  sent: number;
  failed: number;
  /** Informs dropped (queue full, or unacknowledged at close). */
  dropped: number;
  /** Notifications held back by flood damping and replaced by a later one. */
  damped: number;
  /** Informs queued or in flight. */
  pending: number;
  /** Events that could not be turned into a notification (a bug; logged). */
  encodeErrors: number;
  destinations: TargetStats[];
}

export interface SnmpService {
  /** UDP port of the SNMP agent, when it runs. */
  readonly agentPort: number | undefined;
  stats(): SnmpStats;
  /** Unsubscribes, sends what damping held back, gives informs a short grace, closes sockets. Idempotent. */
  close(): Promise<void>;
}

export interface StartSnmpOptions {
  config: SnmpConfig;
  bus: EventBus;
  logger: Logger;
  status: SnmpStatusProvider;
  version: string;
  hostname?: string;
  /** The MIB file (default mib/SEC-CC-EVENTS-MIB.txt). */
  mibFile?: string;
  /** How long close() waits for informs to be acknowledged (default 2 s). */
  closeGraceMs?: number;
}

interface Pending {
  notification: Notification;
  time: Date;
  upTime: number;
}

export async function startSnmp(options: StartSnmpOptions): Promise<SnmpService> {
  const { config, bus, status, version } = options;
  const log = options.logger.child({ component: "snmp" });
  const catalog = MibCatalog.load(options.mibFile ?? DEFAULT_MIB_FILE);
  const host = options.hostname ?? config.hostname ?? osHostname();
  const startedAt = Date.now();
  const targets = config.enabled
    ? config.destinations.map(
        (d) =>
          new NotificationTarget(d, {
            logger: log,
            agentAddress: config.agentAddress ?? firstIPv4Address(),
            engineID: config.engineID ?? engineIdFor(host),
          }),
      )
    : [];

  let sequence = 0;
  let encodeErrors = 0;
  const dispatch = (p: Pending) => {
    let out: OutgoingNotification;
    try {
      const def = catalog.notification(p.notification.name);
      const next = (sequence + 1) >>> 0;
      const varbinds = buildVarbinds(catalog, { ...p.notification, sequence: next, time: p.time, host });
      sequence = next;
      out = {
        name: def.name,
        oid: def.oid,
        enterpriseOid: catalog.enterpriseOid,
        specificTrap: def.specificTrap,
        varbinds,
        upTime: p.upTime,
        sequence,
      };
    } catch (error) {
      encodeErrors++;
      log.error({ err: (error as Error).message, notification: p.notification.name }, "SNMP notification could not be built");
      return;
    }
    for (const t of targets) t.send(out);
  };
  const damper = new FloodDamper<Pending>(
    { windowMs: config.damping.window, maxPerWindow: config.damping.maxPerWindow },
    dispatch,
    (key) => log.warn({ alarmKey: key, window: config.damping.window, maxPerWindow: config.damping.maxPerWindow }, "SNMP flood damping: holding back notifications"),
  );

  const listeners: [ForwardedEventName, (...args: BridgeEvents[ForwardedEventName]) => void][] = [];
  if (targets.length > 0) {
    for (const event of forwardedEventNames()) {
      const listener = (...args: BridgeEvents[ForwardedEventName]) => {
        let notification: Notification;
        try {
          notification = toNotification(event, ...args);
        } catch (error) {
          encodeErrors++;
          log.error({ err: (error as Error).message, event }, "event could not be mapped to an SNMP notification");
          return;
        }
        damper.offer(notification.alarmKey, { notification, time: new Date(), upTime: Math.floor((Date.now() - startedAt) / 10) });
      };
      bus.on(event, listener);
      listeners.push([event, listener]);
    }
  }

  const totals = () => {
    const destinations = targets.map((t) => t.stats());
    const sum = (f: (s: TargetStats) => number) => destinations.reduce((a, s) => a + f(s), 0);
    return {
      sequence,
      sent: sum((s) => s.sent),
      failed: sum((s) => s.failed),
      dropped: sum((s) => s.dropped),
      damped: damper.damped,
      pending: sum((s) => s.queued + s.inFlight),
      encodeErrors,
      destinations,
    };
  };

  let agent: SnmpAgent | undefined;
  if (config.enabled && config.agent.enabled) {
    agent = await SnmpAgent.start({
      config: config.agent,
      catalog,
      logger: log,
      status,
      counters: totals,
      description: config.agent.description ?? `ctibridge ${version} CTI and IVR bridge (Node.js ${process.version}, ${process.platform})`,
      hostname: host,
      startedAt,
      onAuthenticationFailure: (e) => bus.safeEmit("snmp.authenticationFailure", e),
    });
  }
  const watcher = config.enabled
    ? new QueueThresholdWatcher({ thresholds: config.queueThresholds, status, bus, intervalMs: config.queuePollInterval })
    : undefined;

  log.info(
    { destinations: targets.map((t) => t.name), agentPort: agent?.port, damping: config.damping, enabled: config.enabled },
    "SNMP forwarder started",
  );

  let closing: Promise<void> | undefined;
  return {
    agentPort: agent?.port,
    stats: totals,
    close() {
      closing ??= (async () => {
        for (const [event, listener] of listeners) bus.off(event, listener);
        watcher?.close();
        await agent?.close();
        damper.close();
        await Promise.all(targets.map((t) => t.close(options.closeGraceMs ?? 2000)));
        log.info(totals(), "SNMP forwarder stopped");
      })();
      return closing;
    },
  };
}

/** The v1 agent-addr: the first non-internal IPv4 address, else loopback. */
export function firstIPv4Address(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

/** A stable SNMPv3 engine ID (RFC 3411 format 5, enterprise 193) derived from the host name, so receivers that
 * pin it (`createUser -e`) keep working across restarts. */
export function engineIdFor(host: string): string {
  return `800000c105${createHash("sha256").update(host).digest("hex").slice(0, 16)}`;
}
