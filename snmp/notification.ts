// One forwarded event as the MIB sees it, and its variable bindings. Every notification starts with the same
// eight objects (text first, so managers' `$1` is the text); the rest come from the event, in the order of the
// notification's OBJECTS clause in the MIB.
import snmp, { type Varbind } from "net-snmp";
import { CtiError, Errors } from "../cti/errors.js";
import type { MibCatalog, MibObject } from "./mib-catalog.js";

/** ITU-T X.733 perceived severity (RFC 3877 numbering) plus informational, as SecSeverity in the MIB. */
export type Severity = "cleared" | "indeterminate" | "critical" | "major" | "minor" | "warning" | "informational";

export interface Notification {
  /** MIB notification name, e.g. secCtiLinkLost. */
  name: string;
  severity: Severity;
  /** Component that raised it, e.g. "Router Service". */
  source: string;
  /** The event text in the manual's style: "Router Service lost connection to OAS." */
  text: string;
  /** Shared by an alarm and its clear, e.g. "ctiLink:cm1". */
  alarmKey: string;
  /** Values of the notification's other objects, by MIB object name. Strings for enumerations use their labels. */
  values: Record<string, string | number>;
}

/** A notification as sent: numbered and timed once, so every destination gets the same sequence number. */
export interface StampedNotification extends Notification {
  sequence: number;
  time: Date;
  host: string;
}

const HEADER_OBJECTS = [
  "secEventText",
  "secEventId",
  "secEventSeverity",
  "secEventSource",
  "secEventHost",
  "secEventTime",
  "secEventSequence",
  "secEventAlarmKey",
] as const;

/** The varbinds (after sysUpTime.0 and snmpTrapOID.0, which net-snmp adds) in the MIB's OBJECTS order. */
export function buildVarbinds(catalog: MibCatalog, n: StampedNotification): Varbind[] {
  const def = catalog.notification(n.name);
  const header: Record<(typeof HEADER_OBJECTS)[number], string | number | Buffer> = {
    secEventText: n.text,
    secEventId: def.specificTrap,
    secEventSeverity: n.severity,
    secEventSource: n.source,
    secEventHost: n.host,
    secEventTime: dateAndTime(n.time),
    secEventSequence: n.sequence >>> 0,
    secEventAlarmKey: n.alarmKey,
  };
  if (def.objects[0] !== "secEventText") {
    throw new CtiError(Errors.INTERNAL, `${n.name}: secEventText must be the first object in the MIB`);
  }
  return def.objects.map((name) => {
    const value = name in header ? header[name as keyof typeof header] : n.values[name];
    if (value === undefined) throw new CtiError(Errors.INTERNAL, `${n.name}: no value for ${name}`);
    const object = catalog.object(name);
    return { oid: `${object.oid}.0`, type: object.type, value: encodeValue(object, value) };
  });
}

function encodeValue(object: MibObject, value: string | number | Buffer): unknown {
  switch (object.type) {
    case snmp.ObjectType.OctetString:
      if (Buffer.isBuffer(value)) return value;
      return truncateUtf8(String(value), object.maxLength ?? 1024);
    case snmp.ObjectType.Integer: {
      if (typeof value === "number") return value;
      const n = object.enumeration?.get(String(value));
      if (n === undefined) throw new CtiError(Errors.INTERNAL, `${object.name}: "${String(value)}" is not one of its labels`);
      return n;
    }
    case snmp.ObjectType.Gauge:
    case snmp.ObjectType.Counter:
      return Math.min(0xffffffff, Math.max(0, Math.round(Number(value)))) >>> 0;
    default:
      return value;
  }
}

/** Cuts to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): Buffer {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= maxBytes) return buf;
  let end = maxBytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return buf.subarray(0, end);
}

/** SNMPv2-TC DateAndTime, 11 octets, in UTC ("+0:0"). */
export function dateAndTime(d: Date): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt16BE(d.getUTCFullYear(), 0);
  b[2] = d.getUTCMonth() + 1;
  b[3] = d.getUTCDate();
  b[4] = d.getUTCHours();
  b[5] = d.getUTCMinutes();
  b[6] = d.getUTCSeconds();
  b[7] = Math.floor(d.getUTCMilliseconds() / 100);
  b[8] = 0x2b; // '+'
  b[9] = 0;
  b[10] = 0;
  return b;
}
