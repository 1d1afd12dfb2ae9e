// The SNMP agent under a flood of rejected requests (the 1,000/s benchmark's event source, or an attacker guessing
// communities): every rejected request is still an authentication-failure event, but the status tables are not
// refreshed for a request that will be rejected anyway, and the log gets one line per host per interval.
import dgram from "node:dgram";
import { Writable } from "node:stream";
import test from "ava";
import snmp, { type Session } from "net-snmp";
import { EventBus } from "../../cti/events/event-bus.js";
import { createLogger } from "../../cti/log.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { v1v2cCommunity } from "../../snmp/snmp-agent.js";
import { startSnmp } from "../../snmp/snmp-service.js";
import { sleep } from "./snmptrapd.js";

/** The first datagram a net-snmp session sends (a GET for sysName.0), caught by a plain UDP socket. */
async function firstRequest(open: (port: number) => Session): Promise<Buffer> {
  const sink = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", () => resolve()));
  const received = new Promise<Buffer>((resolve) => sink.once("message", (msg) => resolve(msg)));
  const session = open(sink.address().port);
  session.get(["1.3.6.1.2.1.1.5.0"], () => {});
  try {
    return await received;
  } finally {
    session.close();
    sink.close();
  }
}

test("the community is read from v1 and v2c requests as net-snmp encodes them; v3 and garbage give none", async (t) => {
  const opts = { timeout: 200, retries: 0 } as const;
  const v1 = await firstRequest((port) => snmp.createSession("127.0.0.1", "mon-v1", { ...opts, port, version: snmp.Version1 }));
  const v2c = await firstRequest((port) => snmp.createSession("127.0.0.1", "mönitor-2c", { ...opts, port, version: snmp.Version2c }));
  const v3 = await firstRequest((port) =>
    snmp.createV3Session("127.0.0.1", { name: "ops", level: snmp.SecurityLevel.authNoPriv, authProtocol: snmp.AuthProtocols.sha, authKey: "secret-key-1" }, { ...opts, port, version: snmp.Version3 }),
  );
  t.is(v1v2cCommunity(v1), "mon-v1");
  t.is(v1v2cCommunity(v2c), "mönitor-2c");
  t.is(v1v2cCommunity(v3), undefined);
  t.is(v1v2cCommunity(Buffer.from("not snmp at all")), undefined);
  t.is(v1v2cCommunity(v2c.subarray(0, 9)), undefined); // cut inside the community
});

test("100 bad-community requests: 100 authentication events, one log line, and no status refresh", async (t) => {
  const lines: string[] = [];
  const logger = createLogger({
    level: "warn",
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    }),
  });
  let statusReads = 0;
  const status = {
    agentsByState: () => {
      statusReads++;
      return { idleReady: 1 };
    },
    serviceGroups: () => [],
    callManagerLinks: () => [],
  };
  const bus = new EventBus();
  let events = 0;
  bus.on("snmp.authenticationFailure", () => events++);
  const config = snmpConfigSchema.parse({ agent: { enabled: true, address: "127.0.0.1", port: 0, communities: [{ name: "monitor" }] } });
  const service = await startSnmp({ config, bus, logger, status, version: "t" });
  t.teardown(() => service.close());
  const readsAtStart = statusReads;

  const bad = await firstRequest((port) => snmp.createSession("127.0.0.1", "guess-1", { port, version: snmp.Version2c, timeout: 200, retries: 0 }));
  const sender = dgram.createSocket("udp4");
  t.teardown(() => sender.close());
  for (let i = 0; i < 100; i++) sender.send(bad, service.agentPort!, "127.0.0.1");
  for (let i = 0; i < 100 && events < 100; i++) await sleep(20);
  t.is(events, 100);
  t.is(statusReads, readsAtStart, "a request that will be rejected does not refresh the status tables");
  const rejected = lines.filter((l) => l.includes("SNMP request rejected"));
  t.is(rejected.length, 1, rejected.join("\n"));
  t.false(lines.join("\n").includes("guess-1"));

  // A request with the right community still reads the status at request time.
  const session = snmp.createSession("127.0.0.1", "monitor", { port: service.agentPort!, version: snmp.Version2c, timeout: 1000, retries: 1 });
  t.teardown(() => session.close());
  await new Promise<void>((resolve, reject) => session.get(["1.3.6.1.2.1.1.5.0"], (error) => (error ? reject(error) : resolve())));
  t.is(statusReads, readsAtStart + 1);
});
