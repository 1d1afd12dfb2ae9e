// The bridge's SNMP agent queried with the real net-snmp tools (snmpget, snmpwalk) loading the project's MIB, and
// its authentication traps (bad community, host not accepted) caught by a real snmptrapd.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { startSnmp, type SnmpService } from "../../snmp/snmp-service.js";
import { startSnmptrapd, toolMibDir, TOOL_ENV, varbind } from "./snmptrapd.js";

const run = promisify(execFile);
const toolDir = mkdtempSync(join(tmpdir(), "ctibridge-snmptools-"));
const mibs = toolMibDir(toolDir);

let waiting = 3;
const status = {
  agentsByState: () => ({ idleReady: 4, talking: 2, clerical: 1 }),
  serviceGroups: () => [
    { name: "Sales", waiting, longestWaitSeconds: 42 },
    { name: "Support", waiting: 0, longestWaitSeconds: 0 },
  ],
  callManagerLinks: () => [
    { id: "cm1", name: "Asterisk A", state: "up" as const },
    { id: "cm2", name: "Asterisk B", state: "down" as const },
  ],
};

async function snmpTool(tool: "snmpget" | "snmpwalk", port: number, community: string, ...oids: string[]): Promise<string> {
  const { stdout } = await run(
    tool,
    ["-v2c", "-c", community, "-t", "1", "-r", "0", "-M", mibs, "-m", "SNMPv2-MIB:SEC-CC-EVENTS-MIB", "-OS", `udp:127.0.0.1:${port}`, ...oids],
    { env: TOOL_ENV(toolDir) },
  );
  return stdout;
}

async function agentWithTrapd(agent: Record<string, unknown>): Promise<{ snmp: SnmpService; trapd: Awaited<ReturnType<typeof startSnmptrapd>> }> {
  const trapd = await startSnmptrapd();
  const config = snmpConfigSchema.parse({
    destinations: [{ host: "127.0.0.1", port: trapd.port, version: "v2c", community: "public" }],
    agent: { enabled: true, address: "127.0.0.1", port: 0, contact: "NOC +46 8 123 456", location: "Rack 7, room 2.14", ...agent },
  });
  try {
    const snmp = await startSnmp({ config, bus: new EventBus(), logger: silentLogger(), status, version: "1.2.3", hostname: "cti-agent-host" });
    return { snmp, trapd };
  } catch (error) {
    await trapd.stop();
    throw error;
  }
}

test("snmpget reads the system group and snmpwalk the MIB's status tables by name", async (t) => {
  const { snmp, trapd } = await agentWithTrapd({ communities: [{ name: "monitor" }] });
  t.teardown(async () => {
    await snmp.close();
    await trapd.stop();
  });
  const port = snmp.agentPort!;
  const system = await snmpTool("snmpget", port, "monitor", "sysDescr.0", "sysContact.0", "sysLocation.0", "sysName.0", "sysUpTime.0", "sysObjectID.0");
  t.regex(system, /sysDescr\.0 = STRING: ctibridge 1\.2\.3 CTI and IVR bridge/);
  t.regex(system, /sysContact\.0 = STRING: NOC \+46 8 123 456/);
  t.regex(system, /sysLocation\.0 = STRING: Rack 7, room 2\.14/);
  t.regex(system, /sysName\.0 = STRING: cti-agent-host/);
  t.regex(system, /sysUpTime\.0 = Timeticks: \(\d+\)/);
  t.regex(system, /sysObjectID\.0 = OID: SEC-CC-EVENTS-MIB::secCCEvents/);

  const states = await snmpTool("snmpwalk", port, "monitor", "SEC-CC-EVENTS-MIB::secAgentStateTable");
  t.regex(states, /secAgentStateCount\.idleReady = Gauge32: 4/);
  t.regex(states, /secAgentStateCount\.talking = Gauge32: 2/);
  t.regex(states, /secAgentStateCount\.loggedOff = Gauge32: 0/);

  const groups = await snmpTool("snmpwalk", port, "monitor", "SEC-CC-EVENTS-MIB::secServiceGroupTable");
  t.regex(groups, /secServiceGroupName\.1 = STRING: Sales/);
  t.regex(groups, /secServiceGroupWaiting\.1 = Gauge32: 3/);
  t.regex(groups, /secServiceGroupLongestWait\.1 = Gauge32: 42 seconds/);

  waiting = 9; // status is read at request time
  t.regex(await snmpTool("snmpget", port, "monitor", "SEC-CC-EVENTS-MIB::secServiceGroupWaiting.1"), /Gauge32: 9/);

  const links = await snmpTool("snmpwalk", port, "monitor", "SEC-CC-EVENTS-MIB::secCallManagerTable");
  t.regex(links, /secCallManagerLinkState\.1 = INTEGER: up\(2\)/);
  t.regex(links, /secCallManagerLinkState\.2 = INTEGER: down\(3\)/);
  t.regex(links, /secCallManagerName\.2 = STRING: Asterisk B/);
  t.regex(await snmpTool("snmpget", port, "monitor", "SEC-CC-EVENTS-MIB::secNotificationsSent.0"), /Counter32: \d+/);
});

test("a bad community gets no answer and raises an authentication trap that names the host, not the community", async (t) => {
  const { snmp, trapd } = await agentWithTrapd({ communities: [{ name: "monitor" }] });
  t.teardown(async () => {
    await snmp.close();
    await trapd.stop();
  });
  await t.throwsAsync(snmpTool("snmpget", snmp.agentPort!, "guess-Me-42", "sysDescr.0"));
  const [line] = await trapd.waitFor((l) => l.includes("secSnmpAuthFailure"));
  t.is(varbind(line!, "secEventText"), "SNMP agent rejected a request from 127.0.0.1: unknown community.");
  t.false(trapd.notifications().join("\n").includes("guess-Me-42"));
});

test("a host not in the accepted hosts gets no answer, even with a good community, and raises an authentication trap", async (t) => {
  const { snmp, trapd } = await agentWithTrapd({ communities: [{ name: "monitor" }], acceptHosts: ["192.0.2.99"] });
  t.teardown(async () => {
    await snmp.close();
    await trapd.stop();
  });
  await t.throwsAsync(snmpTool("snmpget", snmp.agentPort!, "monitor", "sysDescr.0")); // 127.0.0.1 is not accepted
  const [line] = await trapd.waitFor((l) => l.includes("secSnmpAuthFailure"));
  t.is(varbind(line!, "secEventText"), "SNMP agent rejected a request from 127.0.0.1: host not in the accepted hosts.");
});

test("permission none: the community is known but every object answers noAccess", async (t) => {
  const { snmp, trapd } = await agentWithTrapd({ communities: [{ name: "blocked", access: "none" }] });
  t.teardown(async () => {
    await snmp.close();
    await trapd.stop();
  });
  const out = await snmpTool("snmpget", snmp.agentPort!, "blocked", "sysDescr.0").catch((e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`);
  t.regex(out, /noAccess|No Access/i);
  t.false(out.includes("ctibridge"));
});
