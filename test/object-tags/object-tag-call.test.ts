// End to end through the daemon: tags are defined and assigned through the daemon's Open Interface, then a caller
// dials a BVD (through Kamailio, SIPp as the phone) whose script reads the dialed number's tag and posts it to a real
// HTTP server with a webhook. Proves the daemon lends its object tags to the script engine and the API, and that a
// change made while it runs applies to the next call.
import test from "ava";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { call } from "../harness/sipp.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { startDaemonFixture } from "../integration/daemon-fixture.js";

test("a script reads the tag of the number the caller dialed; a new value applies to the next call", async (t) => {
  const posts: unknown[] = [];
  const http = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posts.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const webhookPort = (http.address() as AddressInfo).port;

  const scripts = makeTempDir(t, "scripts");
  writeFileSync(
    scripts.join("campaign.yaml"),
    `script: campaign
start: read
blocks:
  read:
    type: objectTag
    tag: Campaign
    objectType: dialedNumber
    into: campaign
    found: tell
    notFound: tell
  tell:
    type: webhook
    url: "http://127.0.0.1:${webhookPort}/campaign"
    body: { dialed: "\${DNIS}", campaign: "\${campaign}" }
    timeout: 2s
    next: bye
    failure: bye
  bye:
    type: disconnect
`,
  );
  const f = await startDaemonFixture({
    t,
    bvds: "  - { number: 2100, kind: serviceAccess, script: campaign }",
    config: `scripts:\n  directories: ["${scripts.path}"]`,
  });
  const api = async (method: string, path: string, body: unknown) => {
    const r = await fetch(f.httpUrl + path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    t.true(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
  };

  const dial = async () => {
    const result = await call({ proxyPort: f.kamailio.port, from: "1001", dialed: "2100", hangup: "remote", byeTimeoutMs: 20_000, t });
    t.is(result.exitCode, 0, result.messages);
  };
  await dial();
  await api("POST", "/object-tags", { name: "Campaign", type: "text", allowed: ["dialedNumber"] });
  await api("POST", "/dialed-numbers", { number: "2100" });
  await api("POST", "/object-tags/Campaign/assignments", { objectType: "dialedNumber", object: "2100", value: "spring-sale" });
  await dial();
  await api("POST", "/object-tags/Campaign/assignments", { objectType: "dialedNumber", object: "2100", value: "summer-sale" });
  await dial();
  t.deepEqual(posts, [
    { dialed: "2100", campaign: "" },
    { dialed: "2100", campaign: "spring-sale" },
    { dialed: "2100", campaign: "summer-sale" },
  ]);
});
