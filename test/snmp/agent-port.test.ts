// The SNMP agent's port: 0 means "any free port" (tests, several daemons on one host). net-snmp cannot do that
// itself (it listens on `port || 161`), so SnmpAgent picks the port; the first test pins that net-snmp behaviour,
// so an upgrade that honours port 0 fails here and the workaround in snmp-agent.ts can go.
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import test from "ava";
import snmp from "net-snmp";
import { EventBus } from "../../cti/events/event-bus.js";
import { CtiError, Errors } from "../../cti/errors.js";
import { silentLogger } from "../../cti/log.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { startSnmp } from "../../snmp/snmp-service.js";

const status = { agentsByState: () => ({}), serviceGroups: () => [], callManagerLinks: () => [] };
const netSnmpVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve("net-snmp/package.json"), "utf8")) as { version: string }).version;

function agentConfig(port: number) {
  return snmpConfigSchema.parse({ agent: { enabled: true, address: "127.0.0.1", port, communities: [{ name: "monitor" }] } });
}

function getSysName(port: number): Promise<string> {
  const session = snmp.createSession("127.0.0.1", "monitor", { port, version: snmp.Version2c, timeout: 1000, retries: 1 });
  return new Promise((resolve, reject) =>
    session.get(["1.3.6.1.2.1.1.5.0"], (error, varbinds) => {
      session.close();
      if (error || !varbinds?.[0]) reject(error ?? new Error("no varbind"));
      else resolve(String(varbinds[0].value));
    }),
  );
}

test(`net-snmp ${netSnmpVersion} still asks to listen on 161 when the agent is given port 0`, async (t) => {
  const binds: unknown[][] = [];
  let socket: dgram.Socket | undefined;
  // A real socket that records what net-snmp asks bind() for, and binds a free port instead of 161.
  const dgramModule = {
    createSocket(type: "udp4" | "udp6") {
      const s = dgram.createSocket(type);
      socket = s;
      const bind = s.bind.bind(s) as (port: number, address?: string) => dgram.Socket;
      s.bind = ((...args: [number, string?]) => {
        binds.push(args);
        return bind(0, args[1]);
      }) as typeof s.bind;
      return s;
    },
  };
  const agent = snmp.createAgent({ port: 0, address: "127.0.0.1", transport: "udp4", dgramModule }, () => {});
  t.teardown(() => new Promise<void>((resolve) => agent.close(() => resolve())));
  await new Promise((resolve) => socket!.once("listening", resolve));
  t.deepEqual(binds, [[161, "127.0.0.1"]], "net-snmp honours port 0 now: drop the port picking in snmp/snmp-agent.ts");
});

test("agent port 0: each agent listens on its own kernel-chosen port and answers there", async (t) => {
  const a = await startSnmp({ config: agentConfig(0), bus: new EventBus(), logger: silentLogger(), status, version: "t", hostname: "agent-a" });
  t.teardown(() => a.close());
  const b = await startSnmp({ config: agentConfig(0), bus: new EventBus(), logger: silentLogger(), status, version: "t", hostname: "agent-b" });
  t.teardown(() => b.close());
  t.truthy(a.agentPort);
  t.truthy(b.agentPort);
  t.not(a.agentPort, 161);
  t.not(a.agentPort, b.agentPort);
  t.is(await getSysName(a.agentPort!), "agent-a");
  t.is(await getSysName(b.agentPort!), "agent-b");
});

test("a configured agent port that is taken is a configuration error naming the port (no retry elsewhere)", async (t) => {
  const holder = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => holder.bind(0, "127.0.0.1", () => resolve()));
  t.teardown(() => holder.close());
  const port = holder.address().port;
  const error = await t.throwsAsync(
    startSnmp({ config: agentConfig(port), bus: new EventBus(), logger: silentLogger(), status, version: "t" }),
    { instanceOf: CtiError },
  );
  t.is(error?.code, Errors.CONFIG_INVALID.code);
  t.regex(error?.message ?? "", new RegExp(`127\\.0\\.0\\.1:${port}`));
});
