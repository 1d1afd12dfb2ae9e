// The SNMP forwarder against a real snmptrapd that loads the project's MIB: every SNMP version and mode decoded by
// name, informs surviving a manager outage, and no secret in anything captured.
import test from "ava";
import { EventBus, type CallManagerLinkEvent } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { startSnmp, type SnmpService } from "../../snmp/snmp-service.js";
import { sleep, startSnmptrapd, varbind } from "./snmptrapd.js";

const ENGINE_ID = "800000c10501020304050607aa";
const USER = { name: "ctinoc", authKey: "auth-pass-123", privKey: "priv-pass-456", engineID: ENGINE_ID };
const status = { agentsByState: () => ({}), serviceGroups: () => [], callManagerLinks: () => [] };
const link: CallManagerLinkEvent = {
  callManagerId: "cm1",
  name: "OAS",
  site: "main",
  host: "127.0.0.1",
  port: 5070,
  transport: "udp",
  reason: "no answer to OPTIONS for 3 s",
};

async function forwarder(destinations: unknown[], extra: Record<string, unknown> = {}): Promise<{ bus: EventBus; snmp: SnmpService }> {
  const bus = new EventBus();
  const config = snmpConfigSchema.parse({ engineID: ENGINE_ID, agentAddress: "192.0.2.7", destinations, ...extra });
  const snmp = await startSnmp({ config, bus, logger: silentLogger(), status, version: "9.9.9", hostname: "cti-test-host" });
  return { bus, snmp };
}

test("a v1 trap carries enterprise secCCEvents, specific-trap 201, the configured agent address and the text first", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([{ host: "127.0.0.1", port: trapd.port, version: "v1", community: "public" }]);
  t.teardown(() => snmp.close());
  bus.safeEmit("callManager.linkDown", link);
  const [line] = await trapd.waitFor((l) => l.includes("SNMP v1"));
  t.true(line!.includes("enterprise=SEC-CC-EVENTS-MIB::secCCEvents"));
  t.true(line!.includes("specific=SEC-CC-EVENTS-MIB::secCtiLinkLost"));
  t.true(line!.includes("agent=192.0.2.7"));
  const firstVarbind = line!.split("|")[4]!.split("~")[0]!;
  t.is(firstVarbind, "SEC-CC-EVENTS-MIB::secEventText.0 = STRING: Router Service lost connection to OAS (no answer to OPTIONS for 3 s).");
  t.is(varbind(line!, "secEventSeverity"), "major(4)");
  t.is(varbind(line!, "secEventHost"), "cti-test-host");
  t.is(varbind(line!, "secEventAlarmKey"), "ctiLink:cm1");
});

test("v2c trap and inform, v3 authPriv trap and inform are all decoded by name, with the alarm key shared by raise and clear", async (t) => {
  const trapd = await startSnmptrapd({ users: [USER] });
  t.teardown(() => trapd.stop());
  const user = { name: USER.name, level: "authPriv", authProtocol: "sha", authKey: USER.authKey, privProtocol: "aes", privKey: USER.privKey };
  const { bus, snmp } = await forwarder([
    { host: "127.0.0.1", port: trapd.port, version: "v2c", mode: "trap", community: "public" },
    { host: "127.0.0.1", port: trapd.port, version: "v2c", mode: "inform", community: "public" },
    { host: "127.0.0.1", port: trapd.port, version: "v3", mode: "trap", user },
    { host: "127.0.0.1", port: trapd.port, version: "v3", mode: "inform", user },
  ]);
  t.teardown(() => snmp.close());
  bus.safeEmit("callManager.linkDown", link);
  bus.safeEmit("callManager.linkUp", { ...link, reason: "OPTIONS answered" });
  for (const pdu of ["TRAP2, SNMP v2c", "INFORM, SNMP v2c", `TRAP2, SNMP v3, user ${USER.name}`, `INFORM, SNMP v3, user ${USER.name}`]) {
    const lines = await trapd.waitFor((l) => l.includes(pdu), 5000, 2);
    const lost = lines.find((l) => l.includes("snmpTrapOID.0 = OID: SEC-CC-EVENTS-MIB::secCtiLinkLost"));
    const restored = lines.find((l) => l.includes("snmpTrapOID.0 = OID: SEC-CC-EVENTS-MIB::secCtiLinkRestored"));
    t.truthy(lost, pdu);
    t.truthy(restored, pdu);
    t.is(varbind(restored!, "secEventText"), "Router Service reconnected to OAS.");
    t.is(varbind(restored!, "secEventSeverity"), "cleared(1)");
    t.is(varbind(lost!, "secEventAlarmKey"), varbind(restored!, "secEventAlarmKey"));
    t.is(varbind(lost!, "secEventSequence"), "1");
    t.is(varbind(restored!, "secEventSequence"), "2");
  }
  // Informs count as sent only once acknowledged.
  await sleep(200);
  const informs = snmp.stats().destinations.filter((d) => d.mode === "inform");
  t.deepEqual(informs.map((d) => d.sent), [2, 2]);
});

test("informs raised while snmptrapd is stopped are queued and delivered in order after it is back", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([
    {
      host: "127.0.0.1",
      port: trapd.port,
      version: "v2c",
      mode: "inform",
      community: "public",
      timeout: 200,
      retries: 0,
      retryInterval: 200,
      maxRetryInterval: 400,
    },
  ]);
  t.teardown(() => snmp.close());
  await trapd.stop();
  for (let i = 1; i <= 5; i++) bus.safeEmit("ivr.scriptError", { script: `s${i}`, block: "menu", callId: `call-${i}`, message: "no such prompt" });
  await sleep(700);
  const down = snmp.stats().destinations[0]!;
  t.false(down.reachable);
  t.is(down.sent, 0);
  t.is(down.queued + down.inFlight, 5);

  await trapd.restart();
  const lines = await trapd.waitFor((l) => l.includes("secIvrScriptError"), 8000, 5);
  t.deepEqual(
    lines.map((l) => varbind(l, "secScriptName")),
    ["s1", "s2", "s3", "s4", "s5"],
  );
  await sleep(100);
  const up = snmp.stats().destinations[0]!;
  t.true(up.reachable);
  t.is(up.sent, 5);
  t.is(up.dropped, 0);
});

test("when the inform queue is full the oldest inform is dropped and counted", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([
    { host: "127.0.0.1", port: trapd.port, version: "v2c", mode: "inform", community: "public", timeout: 200, retries: 0, queueSize: 3, maxInFlight: 1, retryInterval: 200, maxRetryInterval: 300 },
  ]);
  t.teardown(() => snmp.close());
  await trapd.stop();
  for (let i = 1; i <= 6; i++) bus.safeEmit("ivr.scriptError", { script: `q${i}`, block: "b", callId: `c${i}`, message: "x" });
  await sleep(500);
  await trapd.restart();
  const lines = await trapd.waitFor((l) => l.includes("secIvrScriptError"), 8000, 3);
  await sleep(600);
  const names = trapd.notifications().filter((l) => l.includes("secIvrScriptError")).map((l) => varbind(l, "secScriptName"));
  // q1 is in flight; q2..q6 fill the 3-slot queue, pushing out q2 and q3; when q1 times out it comes back as the
  // oldest of four and is dropped too. What arrives is the newest three.
  t.deepEqual(names, ["q4", "q5", "q6"], lines.join("\n"));
  t.is(snmp.stats().destinations[0]!.dropped, 3);
  t.is(snmp.stats().destinations[0]!.queueHighWater, 3);
});

test("the inform queue's high-water mark is the most that waited at once, and stays after the queue drains", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([{ host: "127.0.0.1", port: trapd.port, version: "v2c", mode: "inform", community: "public", maxInFlight: 2 }]);
  t.teardown(() => snmp.close());
  for (let i = 1; i <= 7; i++) bus.safeEmit("ivr.scriptError", { script: `h${i}`, block: "b", callId: `c${i}`, message: "x" });
  await trapd.waitFor((l) => l.includes("secIvrScriptError"), 5000, 7);
  // snmptrapd may log the last one before its acknowledgement reaches the forwarder.
  for (let i = 0; i < 50 && snmp.stats().destinations[0]!.sent < 7; i++) await sleep(20);
  const stats = snmp.stats().destinations[0]!;
  t.is(stats.queued, 0);
  t.is(stats.sent, 7);
  t.is(stats.queueHighWater, 5); // two in flight, five waiting
});

test("flood damping holds back repeats of one alarm key but the final state still reaches the manager", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([{ host: "127.0.0.1", port: trapd.port, version: "v2c", community: "public" }], {
    damping: { window: "600ms", maxPerWindow: 2 },
  });
  t.teardown(() => snmp.close());
  for (let i = 0; i < 5; i++) {
    bus.safeEmit("callManager.linkDown", link);
    bus.safeEmit("callManager.linkUp", link);
  }
  bus.safeEmit("store.connectionFailed", { kind: "sqlite", reason: "disk I/O error" }); // other key: not damped
  await trapd.waitFor((l) => l.includes("secDatabaseConnFailed"));
  await sleep(900);
  const cti = trapd.notifications().filter((l) => l.includes("secCtiLink"));
  t.is(cti.length, 3); // lost, restored, then the last held back (restored) at the window's end
  t.true(cti[2]!.includes("secCtiLinkRestored"));
  t.is(snmp.stats().damped, 7);
});

test("no PIN or community string appears in anything snmptrapd captured", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const { bus, snmp } = await forwarder([{ host: "127.0.0.1", port: trapd.port, version: "v2c", community: "public" }], {
    agent: { enabled: true, port: 0, communities: [{ name: "Ro-S3cret-Community" }] },
  });
  t.teardown(() => snmp.close());
  bus.safeEmit("agent.logonFailed", { logonId: "1001", extension: "2001", sourceAddress: "127.0.0.1", reason: "wrongPin" });
  bus.safeEmit("agent.lockedOut", { logonId: "1001", extension: "2001", sourceAddress: "127.0.0.1", failedAttempts: 5 });
  bus.safeEmit("ivr.scriptError", { script: "auth", block: "sql", callId: "c1", message: "login failed for pin=482916 password: hunter2" });
  bus.safeEmit("recording.joinFailed", { callId: "c2", recordingUri: "sip:rec:tok-77aa@10.0.0.9;token=zz991", recorder: "10.0.0.9:5060", reason: "488" });
  bus.safeEmit("snmp.authenticationFailure", { sourceAddress: "127.0.0.1", sourcePort: 40000, reason: "community" });
  await trapd.waitFor((l) => l.includes("secSnmpAuthFailure"));
  await trapd.waitFor((l) => l.includes("secRecordingJoinFailed"));
  const all = trapd.notifications().join("\n");
  for (const secret of ["482916", "hunter2", "Ro-S3cret-Community", "tok-77aa", "zz991"]) t.false(all.includes(secret), secret);
  t.true(all.includes("Phone agent logon failed for agent 1001 at extension 2001: wrong PIN."));
});
