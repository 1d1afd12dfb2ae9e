// NOC view of a queue: callers waiting in a service group with nobody ready raise secQueueThresholdExceeded at a real
// snmptrapd (loading the project's MIB); when the queue empties the clear arrives with the same alarm key. The SNMP
// agent's status table shows the waiting calls.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { startCall } from "../harness/sipp.js";
import { startSnmptrapd, toolMibDir, TOOL_ENV, varbind } from "../snmp/snmptrapd.js";
import { freeTcpUdpPort } from "../harness/free-port.js";
import { join } from "node:path";
import { acdFixture, agentPhone, logOn, SALES } from "./acd-fixture.js";
import { eventually } from "./daemon-fixture.js";

test("two callers waiting raise secQueueThresholdExceeded for Sales; served, the clear follows with the same alarm key", async (t) => {
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const agentPort = await freeTcpUdpPort();
  const f = await acdFixture(
    t,
    `${SALES}
snmp:
  destinations:
    - { name: noc, host: 127.0.0.1, port: ${trapd.port}, version: v2c, mode: trap, community: public }
  damping: { window: 0s }
  queueThresholds:
    - { serviceGroup: Sales, waitingCalls: 2 }
  queuePollInterval: 200ms
  agent: { enabled: true, address: 127.0.0.1, port: ${agentPort}, communities: [{ name: public, access: readOnly }] }
`,
  );
  const phone = await agentPhone(f, t, "1001", { hangupAfterMs: 200 });
  await logOn(f, "1001", "1001");
  await fetch(`${f.httpUrl}/agents/1001/notready`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const callers = [
    await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5571", hangup: "remote", byeTimeoutMs: 20_000, t }),
    await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5572", hangup: "remote", byeTimeoutMs: 20_000, t }),
  ];
  const [exceeded] = await trapd.waitFor((l) => l.includes("secQueueThresholdExceeded"), 5000);
  t.regex(varbind(exceeded!, "secEventText") ?? "", /Sales/);
  const key = varbind(exceeded!, "secEventAlarmKey");
  t.truthy(key);

  const toolDir = mkdtempSync(join(tmpdir(), "ctibridge-snmptools-"));
  const walk = await promisify(execFile)(
    "snmpwalk",
    ["-v2c", "-c", "public", "-t", "1", "-r", "1", "-M", toolMibDir(toolDir), "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB", "-OS", `udp:127.0.0.1:${agentPort}`, "SEC-CC-EVENTS-MIB::secServiceGroupTable"],
    { env: TOOL_ENV(toolDir) },
  );
  t.regex(walk.stdout, /secServiceGroupName\.1 = STRING: "?Sales/);
  t.regex(walk.stdout, /secServiceGroupWaiting\.1 = Gauge32: 2/);

  await fetch(`${f.httpUrl}/agents/1001/ready`, { method: "POST" });
  await phone.waitForInvite(1, 5000);
  const cleared = await trapd.waitFor((l) => l.includes("secQueueThresholdCleared"), 5000);
  t.is(varbind(cleared.at(-1)!, "secEventAlarmKey"), key);
  for (const c of callers) await c.done;
  await eventually(() => (f.daemon.media.portsFree === f.daemon.media.portsTotal ? true : undefined), 5000, "ports back");
});
