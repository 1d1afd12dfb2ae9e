// End to end through the daemon: a caller dials a BVD (through Kamailio, with SIPp keying digits over RTP); the
// script looks the digits up in a SQLite data source from the configuration, puts the result in the call profile
// and tells a real HTTP server with a webhook. Proves the daemon hands its data sources to the engine, and that
// stopping the daemon stops the SQLite reader.
import test from "ava";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { call } from "../harness/sipp.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { startDaemonFixture } from "../integration/daemon-fixture.js";
import { createCrmDatabase, sqliteReaderPids as readerPids } from "./crm-database.js";

process.env.TEST_CRM_TOKEN = "crm-token-never-logged-5150";

test("a caller's digits are looked up in the configured data source and posted with the call profile", async (t) => {
  const crm = createCrmDatabase(t);
  const posts: { body: unknown; authorization: string | undefined }[] = [];
  const http = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posts.push({ body: JSON.parse(body), authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ticket: "T-1" }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const webhookPort = (http.address() as AddressInfo).port;

  const scripts = makeTempDir(t, "scripts");
  writeFileSync(
    scripts.join("customer-ticket.yaml"),
    `script: customer-ticket
start: ask
blocks:
  ask:
    type: collect
    prompts: [enter-agent-id]
    into: digits
    maxDigits: 8
    next: lookup
  lookup:
    type: query
    dataSource: crm
    sql: SELECT name, segment FROM customer WHERE customer_number = :digits
    intoProfile: { name: Customer Name, segment: Service }
    found: remember
    notFound: bye
    error: bye
  remember:
    type: profile
    set: { Customer Number: "\${digits}" }
    next: tell
  tell:
    type: webhook
    url: "http://127.0.0.1:${webhookPort}/tickets"
    headers: { Authorization: "Bearer \${TEST_CRM_TOKEN}" }
    body: { ani: "\${ANI}", number: "\${PROFILE_CUSTOMER_NUMBER}", name: "\${PROFILE_CUSTOMER_NAME}", service: "\${PROFILE_SERVICE}" }
    timeout: 2s
    next: bye
    failure: bye
  bye:
    type: play
    prompts: [goodbye]
    next: hang-up
  hang-up:
    type: disconnect
`,
  );
  const f = await startDaemonFixture({
    t,
    bvds: "  - { number: 2100, kind: serviceAccess, script: customer-ticket }",
    config: `scripts:
  directories: ["${scripts.path}"]
dataSources:
  - { name: crm, kind: sqlite, file: "${crm.join("crm.sqlite")}", timeout: 2s, connections: 2 }`,
  });

  const result = await call({
    proxyPort: f.kamailio.port,
    from: "1001",
    dialed: "2100",
    dtmf: "0042#",
    dtmfTiming: { digitMs: 300, pauseMs: 600 },
    waitBeforeDtmfMs: 300,
    hangup: "remote",
    byeTimeoutMs: 30_000,
    t,
  });
  t.is(result.exitCode, 0, result.messages);
  t.deepEqual(posts, [
    { body: { ani: "1001", number: "0042", name: "Bo Ek", service: "silver" }, authorization: "Bearer crm-token-never-logged-5150" },
  ]);
  t.false(JSON.stringify(f.logLines()).includes("crm-token-never-logged-5150"), "the header secret is not logged");

  t.true(readerPids(crm.path).length > 0, "the data source's reader runs while the daemon does");
  await f.daemon.stop();
  t.deepEqual(readerPids(crm.path), [], "stopping the daemon stops the reader");
});
