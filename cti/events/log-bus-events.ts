// Writes the service-level events to the log, so an administrator sees link and lockout changes without SNMP.
import type { Logger } from "../log.js";
import type { EventBus } from "./event-bus.js";

export function logBusEvents(bus: EventBus, logger: Logger): void {
  bus.on("callManager.linkUp", (e) => logger.info({ callManager: e.callManagerId, host: `${e.host}:${e.port}`, reason: e.reason }, "call manager link up"));
  bus.on("callManager.linkDown", (e) => logger.warn({ callManager: e.callManagerId, host: `${e.host}:${e.port}`, reason: e.reason }, "call manager link down"));
  bus.on("ivr.scriptError", (e) => logger.warn({ script: e.script, block: e.block, callId: e.callId }, "IVR script error"));
  bus.on("media.portsExhausted", (e) => logger.warn(e, "media ports exhausted"));
  bus.on("media.portsAvailable", (e) => logger.info(e, "media ports available again"));
}
