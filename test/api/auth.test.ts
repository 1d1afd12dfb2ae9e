import test from "ava";
import { connect } from "node:net";
import { startApi } from "./api-fixture.js";
import { EventClient } from "./event-client.js";

const TOKEN = "s3cr3t-token-for-tests-0123456789";
const OTHER = "another-valid-token-abcdefghijklm";

test("without configured tokens every route is open", async (t) => {
  const f = await startApi(t);
  t.is((await f.request("GET", "/agents")).status, 200);
  t.is((await f.request("GET", "/openapi.json")).status, 200);
  const client = await EventClient.connect(`${f.wsUrl}/events`);
  t.is((await client.close()).code, 1000);
});

test("with tokens configured every route but /health needs a valid bearer token", async (t) => {
  const f = await startApi(t, { tokens: [TOKEN, OTHER] });
  t.is((await f.request("GET", "/health")).status, 200);
  for (const path of ["/agents", "/calls", "/service-groups", "/openapi.json", "/agents/1001"]) {
    const none = await f.request<{ error: { code: string } }>("GET", path);
    t.is(none.status, 401, path);
    t.is(none.body.error.code, "CTI_ERR_UNAUTHORIZED");
    t.regex(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    t.is((await f.request("GET", path, { token: TOKEN.slice(0, -1) + "X" })).status, 401, `${path}, wrong token`);
    t.is((await f.request("GET", path, { token: TOKEN + "X" })).status, 401, `${path}, longer token`);
    t.is((await f.request("GET", path, { headers: { authorization: `Basic ${TOKEN}` } })).status, 401, `${path}, not bearer`);
  }
  t.is((await f.request("GET", "/agents", { token: TOKEN })).status, 200);
  t.is((await f.request("GET", "/agents", { token: OTHER })).status, 200);
  t.is((await f.request("POST", "/agents/1001/logoff")).status, 401, "writes too");
});

test("unknown paths need a token before they say 404, so routes cannot be probed", async (t) => {
  const f = await startApi(t, { tokens: [TOKEN] });
  t.is((await f.request("GET", "/nope")).status, 401);
  const found = await f.request<{ error: { code: string } }>("GET", "/nope", { token: TOKEN });
  t.is(found.status, 404);
  t.is(found.body.error.code, "CTI_ERR_NOT_FOUND");
});

test("the access_token query parameter is accepted by the WebSocket only", async (t) => {
  const f = await startApi(t, { tokens: [TOKEN] });
  t.is((await f.request("GET", `/agents?access_token=${TOKEN}`)).status, 401);

  const refused = await t.throwsAsync(EventClient.connect(`${f.wsUrl}/events`));
  t.is((refused as Error & { status?: number }).status, 401);
  const wrong = await t.throwsAsync(EventClient.connect(`${f.wsUrl}/events?access_token=wrong`));
  t.is((wrong as Error & { status?: number }).status, 401);

  const byQuery = await EventClient.connect(`${f.wsUrl}/events?access_token=${TOKEN}`);
  const byHeader = await EventClient.connect(`${f.wsUrl}/events`, { authorization: `Bearer ${TOKEN}` });
  f.bus.safeEmit("callManager.linkDown", { callManagerId: "cm-a1", name: "North 1", site: "north", host: "127.0.0.1", port: 5071, transport: "udp", reason: "test" });
  t.is((await byQuery.waitFor(1))[0]!.event, "callManager.linkDown");
  t.is((await byHeader.waitFor(1))[0]!.event, "callManager.linkDown");
  await byQuery.close();
  await byHeader.close();
});

test("tokens never reach the logs", async (t) => {
  const f = await startApi(t, { tokens: [TOKEN] });
  await f.request("GET", "/agents", { token: TOKEN });
  await f.request("GET", "/agents", { token: "wrong-token-value-xyz" });
  const c = await EventClient.connect(`${f.wsUrl}/events?access_token=${TOKEN}&events=agent.*`);
  await c.close();
  await f.api.server.close();
  t.true(f.log.all.includes("event stream client connected"), "the stream was logged");
  t.false(f.log.all.includes(TOKEN));
  t.false(f.log.all.includes("wrong-token-value-xyz"));
});

test("a refused WebSocket upgrade gets 401 and its connection is closed by the server", async (t) => {
  const f = await startApi(t, { tokens: [TOKEN] });
  const socket = connect(f.api.port, "127.0.0.1");
  let received = "";
  socket.on("data", (d) => (received += d.toString()));
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(
    "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3000).unref());
  t.not(await Promise.race([ended, timeout]), "timeout", "the server closed the socket");
  t.regex(received, /^HTTP\/1\.1 401/);
  t.regex(received, /CTI_ERR_UNAUTHORIZED/);
  socket.destroy();
});
