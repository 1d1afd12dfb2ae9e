import test from "ava";
import { createSocket, type Socket } from "node:dgram";
import { EventBus, type MediaPortsEvent } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { MediaServer } from "../../ivr/media/media-server.js";
import { freeEvenPortRange, LOOPBACK, newServer, waitFor } from "./media-test-helpers.js";

test("the pool holds the even ports of the range", async (t) => {
  const server = new MediaServer({ address: LOOPBACK, portMin: 30001, portMax: 30010, logger: silentLogger() });
  t.is(server.portsTotal, 5); // 30002 … 30010
  t.is(server.portsFree, 5);
  t.throws(() => new MediaServer({ address: LOOPBACK, portMin: 30001, portMax: 30001, logger: silentLogger() }), { code: "CTI_ERR_CONFIG_INVALID" });
  t.throws(() => new MediaServer({ address: LOOPBACK, portMin: 30010, portMax: 30000, logger: silentLogger() }), { code: "CTI_ERR_CONFIG_INVALID" });
  server.close();
});

test("running out of ports throws MEDIA_PORTS_EXHAUSTED, reports it, and the pool is full again after close()", async (t) => {
  const bus = new EventBus();
  const server = await newServer(3, { bus });
  const events: string[] = [];
  server.on("portsExhausted", (e) => events.push(`exhausted ${e.free}/${e.total}`));
  server.on("portsAvailable", (e) => events.push(`available ${e.free}/${e.total}`));
  const onBus: MediaPortsEvent[] = [];
  bus.on("media.portsExhausted", (e) => onBus.push(e));
  bus.on("media.portsAvailable", (e) => onBus.push(e));

  const endpoints = [await server.open(), await server.open(), await server.open()];
  t.is(new Set(endpoints.map((e) => e.localPort)).size, 3);
  t.true(endpoints.every((e) => e.localPort % 2 === 0));
  t.is(server.portsFree, 0);
  await t.throwsAsync(server.open(), { code: "CTI_ERR_MEDIA_PORTS_EXHAUSTED" });
  t.deepEqual(events, ["exhausted 0/3"], "reported once, not again for the failed open()");

  endpoints[1]!.close();
  endpoints[1]!.close(); // idempotent
  await waitFor(() => server.portsFree === 1);
  t.deepEqual(events, ["exhausted 0/3", "available 1/3"]);
  t.deepEqual(onBus, [{ total: 3, free: 0 }, { total: 3, free: 1 }]);
  const again = await server.open();
  t.is(again.localPort, endpoints[1]!.localPort);

  for (const e of [...endpoints, again]) e.close();
  await waitFor(() => server.portsFree === 3);
  t.is(server.portsFree, server.portsTotal);
  t.is(server.endpoints.size, 0);
  server.close();
});

test("a port another program holds is skipped (EADDRINUSE) and stays in the pool", async (t) => {
  const range = await freeEvenPortRange(2);
  const squatter: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => squatter.bind(range.portMin, LOOPBACK, resolve));
  const server = new MediaServer({ address: LOOPBACK, ...range, logger: silentLogger() });
  const endpoint = await server.open();
  t.is(endpoint.localPort, range.portMax);
  t.is(server.portsFree, 1, "the held port still belongs to the pool");
  await t.throwsAsync(server.open(), { code: "CTI_ERR_MEDIA_PORTS_EXHAUSTED" });
  await new Promise<void>((resolve) => squatter.close(resolve));
  const second = await server.open();
  t.is(second.localPort, range.portMin, "usable again once the other program let go");
  server.close();
  await waitFor(() => server.portsFree === 2);
  t.pass();
});

test("closing the server closes every endpoint and resolves their playback with \"closed\"", async (t) => {
  const server = await newServer(4);
  const endpoint = await server.open();
  endpoint.answer(`v=0\r\no=- 1 1 IN IP4 ${LOOPBACK}\r\ns=-\r\nc=IN IP4 ${LOOPBACK}\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n`);
  let closedEvent = false;
  endpoint.on("close", () => (closedEvent = true));
  const playing = endpoint.play(["goodbye"]);
  await waitFor(() => endpoint.playing);
  server.close();
  server.close();
  t.is(await playing, "closed");
  t.true(endpoint.closed);
  t.true(closedEvent);
  await t.throwsAsync(server.open(), { code: "CTI_ERR_MEDIA_PORTS_EXHAUSTED" });
});
