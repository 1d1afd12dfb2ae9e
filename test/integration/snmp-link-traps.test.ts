// NOC view of a call-manager outage: the daemon's keepalive finds the call manager gone and a link-lost trap reaches
// a real snmptrapd (loading the project's MIB) within the keepalive interval plus a second; when the call manager
// is back, the clear arrives with the same alarm key.
import test from "ava";
import { writeFileSync } from "node:fs";
import { Daemon } from "../../cti/daemon.js";
import { silentLogger } from "../../cti/log.js";
import { freePortRange, freeTcpUdpPort } from "../harness/free-port.js";
import { optionsResponder } from "../harness/sipp.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { startSnmptrapd, varbind } from "../snmp/snmptrapd.js";

const INTERVAL_MS = 2000;

test("call manager lost → secCtiLinkLost within keepalive + 1 s; back → secCtiLinkRestored with the same alarm key", async (t) => {
  const dir = makeTempDir(t, "snmp-link");
  const trapd = await startSnmptrapd();
  t.teardown(() => trapd.stop());
  const cmPort = await freeTcpUdpPort();
  let callManager = await optionsResponder({ port: cmPort, dir });
  t.teardown(() => callManager.stop());
  const sipPort = await freeTcpUdpPort();
  const media = await freePortRange(10);
  const config = dir.join("c.yaml");
  writeFileSync(
    config,
    `sip: { port: ${sipPort} }
media: { portMin: ${media}, portMax: ${media + 9} }
http: { port: 0 }
sites: [{ id: main, name: Main }]
callManagers:
  - { id: oas1, name: OAS one, site: main, type: OAS, host: 127.0.0.1, port: ${cmPort}, keepalive: { interval: ${INTERVAL_MS}ms, timeout: 700ms } }
snmp:
  destinations:
    - { name: noc, host: 127.0.0.1, port: ${trapd.port}, version: v2c, mode: trap, community: public }
  damping: { window: 0s }
`,
  );
  const daemon = await Daemon.start({ configFile: config, dataDir: dir.join("data"), logger: silentLogger() });
  t.teardown(() => daemon.stop());
  await trapd.waitFor((l) => l.includes("secCtiLinkRestored"), 10_000);

  await callManager.stop();
  const stoppedAt = Date.now();
  const [lost] = await trapd.waitFor((l) => l.includes("secCtiLinkLost"), INTERVAL_MS + 3000);
  const elapsed = Date.now() - stoppedAt;
  t.true(elapsed <= INTERVAL_MS + 1000, `link lost trap after ${elapsed} ms`);
  t.regex(varbind(lost!, "secEventText") ?? "", /lost connection/i);
  const lostKey = varbind(lost!, "secEventAlarmKey");
  t.truthy(lostKey);

  callManager = await optionsResponder({ port: cmPort, dir });
  const restored = await trapd.waitFor((l) => l.includes("secCtiLinkRestored"), INTERVAL_MS + 3000, 2);
  t.is(varbind(restored.at(-1)!, "secEventAlarmKey"), lostKey);
  t.is(daemon.sip.linkState("oas1"), "up");
});
