// Writes service-level events that no component logs itself (the SIP layer logs link changes, the agent service
// logons and lockouts), so an administrator sees them without SNMP.
import type { Logger } from "../log.js";
import type { EventBus } from "./event-bus.js";

export function logBusEvents(bus: EventBus, logger: Logger): void {
  bus.on("ivr.scriptError", (e) => logger.warn({ script: e.script, block: e.block, callId: e.callId }, "IVR script error"));
  bus.on("media.portsExhausted", (e) => logger.warn(e, "media ports exhausted"));
  bus.on("media.portsAvailable", (e) => logger.info(e, "media ports available again"));
}
