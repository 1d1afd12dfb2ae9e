// The event → notification table, varbind encoding, redaction, flood damping, the bounded queue, the config schema.
import test from "ava";
import type { BridgeEvents } from "../../cti/events/event-bus.js";
import { EVENT_NOTIFICATIONS, forwardedEventNames, toNotification, type ForwardedEventName } from "../../snmp/event-notifications.js";
import { BoundedQueue } from "../../snmp/bounded-queue.js";
import { FloodDamper } from "../../snmp/flood-damper.js";
import { MibCatalog } from "../../snmp/mib-catalog.js";
import { buildVarbinds, dateAndTime, truncateUtf8 } from "../../snmp/notification.js";
import { redactText, redactUri } from "../../snmp/redact-secrets.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { secretString } from "../../cti/config/secret-string.js";

const link = { callManagerId: "cm1", name: "OAS", site: "main", host: "10.1.1.1", port: 5060, transport: "udp" as const, reason: "" };
/** One sample payload per forwarded event; the Record type makes a new forwarded event fail to compile here. */
const SAMPLES: { [K in ForwardedEventName]: BridgeEvents[K] } = {
  "service.started": [{ version: "1.0.0", reason: "" }],
  "service.stopped": [{ version: "1.0.0", reason: "SIGTERM" }],
  "callManager.linkDown": [link],
  "callManager.linkUp": [link],
  "callManager.failover": [{ ...link, toCallManagerId: "cm2" }],
  "store.connectionFailed": [{ kind: "mssql", reason: "ETIMEOUT" }],
  "store.connectionRestored": [{ kind: "mssql", reason: "" }],
  "agent.logonFailed": [{ logonId: "1001", extension: "2001", sourceAddress: "10.1.1.1", reason: "unknownUser" }],
  "agent.lockedOut": [{ logonId: "1001", extension: "2001", sourceAddress: "10.1.1.1", failedAttempts: 5 }],
  "ivr.scriptError": [{ script: "main", block: "db", callId: "c1", message: "timeout" }],
  "media.portsExhausted": [{ total: 100, free: 0 }],
  "media.portsAvailable": [{ total: 100, free: 10 }],
  "queue.thresholdExceeded": [{ serviceGroup: "Sales", metric: "waitingCalls", value: 12, threshold: 10 }],
  "queue.thresholdCleared": [{ serviceGroup: "Sales", metric: "waitingCalls", value: 4, threshold: 10 }],
  "recording.joinFailed": [{ callId: "c1", recordingUri: "sip:rec@10.0.0.9", recorder: "10.0.0.9:5060", reason: "486" }],
  "customerAuth.reserveTimeout": [{ logonId: "1001", extension: "2001", callId: "c1", script: "auth", reserveSeconds: 120 }],
  "snmp.authenticationFailure": [{ sourceAddress: "10.9.9.9", sourcePort: 1234, reason: "host" }],
};

test("every forwarded event maps to a MIB notification whose varbinds can all be built", (t) => {
  const catalog = MibCatalog.load();
  t.deepEqual(new Set(forwardedEventNames()), new Set(Object.keys(SAMPLES)));
  for (const event of forwardedEventNames()) {
    const n = toNotification(event, ...(SAMPLES[event] as BridgeEvents[typeof event]));
    const varbinds = buildVarbinds(catalog, { ...n, sequence: 7, time: new Date(0), host: "h" });
    t.is(varbinds.length, catalog.notification(n.name).objects.length, event);
    t.is(varbinds[0]!.oid, `${catalog.object("secEventText").oid}.0`);
    t.regex(n.text, /\.$/, `${event}: a sentence, like the manual's texts`);
  }
});

test("the texts follow the manual: Router Service lost connection to / reconnected to", (t) => {
  t.is(toNotification("callManager.linkDown", link).text, "Router Service lost connection to OAS.");
  t.is(toNotification("callManager.linkUp", link).text, "Router Service reconnected to OAS.");
});

test("each raise shares its alarm key with its clear, and a clear has severity cleared", (t) => {
  const pairs: [ForwardedEventName, ForwardedEventName][] = [
    ["callManager.linkDown", "callManager.linkUp"],
    ["store.connectionFailed", "store.connectionRestored"],
    ["media.portsExhausted", "media.portsAvailable"],
    ["queue.thresholdExceeded", "queue.thresholdCleared"],
    ["service.stopped", "service.started"],
  ];
  for (const [raise, clear] of pairs) {
    const r = toNotification(raise, ...(SAMPLES[raise] as BridgeEvents[typeof raise]));
    const c = toNotification(clear, ...(SAMPLES[clear] as BridgeEvents[typeof clear]));
    t.is(r.alarmKey, c.alarmKey, raise);
    t.not(r.severity, "cleared");
    t.is(c.severity, "cleared");
  }
  t.is(Object.keys(EVENT_NOTIFICATIONS).length, 17);
});

test("free text and URIs lose their secrets", (t) => {
  t.is(redactText("login failed: password=hunter2; pin: 4711 and token=abc"), "login failed: password=[redacted]; pin: [redacted] and token=[redacted]");
  t.is(redactUri("sip:rec:pw@10.0.0.9:5060;transport=udp;token=xyz"), "sip:10.0.0.9:5060;transport=udp;token=[redacted]");
  const n = toNotification("ivr.scriptError", { script: "s", block: "b", callId: "c", message: "bad PIN=1234" });
  t.false(n.text.includes("1234"));
});

test("text is truncated at a UTF-8 character boundary and times are DateAndTime in UTC", (t) => {
  t.is(truncateUtf8("ååå", 5).toString("utf8"), "åå");
  t.deepEqual([...dateAndTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 600)))], [7, 233, 1, 2, 3, 4, 5, 6, 0x2b, 0, 0]);
  const catalog = MibCatalog.load();
  const n = toNotification("ivr.scriptError", { script: "x".repeat(400), block: "b", callId: "c", message: "m" });
  const vb = buildVarbinds(catalog, { ...n, sequence: 1, time: new Date(), host: "h" });
  const script = vb.find((v) => v.oid.startsWith(catalog.object("secScriptName").oid + "."))!;
  t.is((script.value as Buffer).length, 255); // SIZE (0..255) in the MIB
});

test("the flood damper passes maxPerWindow per key, then sends only the latest held back when the window ends", async (t) => {
  const sent: string[] = [];
  const damper = new FloodDamper<string>({ windowMs: 100, maxPerWindow: 2 }, (item) => sent.push(item));
  for (const item of ["a1", "a2", "a3", "a4", "a5"]) damper.offer("a", item);
  damper.offer("b", "b1");
  t.deepEqual(sent, ["a1", "a2", "b1"]);
  await new Promise((r) => setTimeout(r, 150));
  t.deepEqual(sent, ["a1", "a2", "b1", "a5"]);
  t.is(damper.damped, 2);
  damper.close();
  damper.close();
});

test("the bounded queue drops its oldest item when full", (t) => {
  const q = new BoundedQueue<number>(3);
  t.is(q.push(1), undefined);
  q.push(2);
  q.push(3);
  t.is(q.push(4), 1);
  t.is(q.shift(), 2);
  t.deepEqual(q.drain(), [3, 4]);
  t.is(q.length, 0);
});

test("the config schema: defaults, ${ENV} secrets, and clear errors for impossible destinations", (t) => {
  const empty = snmpConfigSchema.parse({});
  t.deepEqual(empty.destinations, []);
  t.is(empty.agent.enabled, false);
  t.is(empty.damping.maxPerWindow, 5);

  const env = secretString({ NOC_COMMUNITY: "from-env" });
  t.is(env.parse("${NOC_COMMUNITY}"), "from-env");
  const missing = env.safeParse("${NOT_SET_ANYWHERE}");
  t.false(missing.success);
  t.regex(JSON.stringify(missing.error?.issues), /environment variable NOT_SET_ANYWHERE is not set/);

  const v1Inform = snmpConfigSchema.safeParse({ destinations: [{ host: "127.0.0.1", version: "v1", mode: "inform", community: "public" }] });
  t.regex(JSON.stringify(v1Inform.error?.issues), /SNMPv1 has no informs/);
  const v3NoUser = snmpConfigSchema.safeParse({ destinations: [{ host: "127.0.0.1", version: "v3" }] });
  t.regex(JSON.stringify(v3NoUser.error?.issues), /needs a user/);
  const demo = snmpConfigSchema.parse({ destinations: [{ host: "127.0.0.1", port: 1162, version: "v2c", community: "public" }] });
  t.is(demo.destinations[0]!.mode, "trap");
});
