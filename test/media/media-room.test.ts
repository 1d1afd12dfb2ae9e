import test from "ava";
import { silentLogger } from "../../cti/log.js";
import { ALAW_TO_ULAW, decodeG711, encodeG711, ULAW_TO_ALAW } from "../../ivr/media/g711.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { MediaRoom } from "../../ivr/media/media-room.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { audioOffer, dtmfPacket, newServer, RtpPeer, rtpPacket, sleep, waitFor, type ReceivedPacket } from "./media-test-helpers.js";

const PCMU_ONLY = { payloads: "0 101" };
const PCMA_ONLY = { payloads: "8 101" };
type OfferOptions = Parameters<typeof audioOffer>[1];

interface Leg {
  phone: RtpPeer;
  endpoint: MediaEndpoint;
}

interface Rig {
  server: MediaServer;
  room: MediaRoom;
  a: Leg;
  b: Leg;
  [Symbol.asyncDispose](): Promise<void>;
}

async function leg(server: MediaServer, offer: OfferOptions = PCMU_ONLY): Promise<Leg> {
  const phone = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(phone.port, offer));
  return { phone, endpoint };
}

/** Two phones (plain UDP sockets), each answered by an endpoint, both endpoints active in one room. */
async function twoLegs(offerA: OfferOptions = PCMU_ONLY, offerB: OfferOptions = PCMU_ONLY): Promise<Rig> {
  const server = await newServer(6);
  const a = await leg(server, offerA);
  const b = await leg(server, offerB);
  const room = new MediaRoom(silentLogger());
  room.join(a.endpoint, { role: "active" });
  room.join(b.endpoint, { role: "active" });
  return {
    server,
    room,
    a,
    b,
    async [Symbol.asyncDispose]() {
      room.close();
      server.close();
      a.phone.close();
      b.phone.close();
    },
  };
}

/** `count` 20 ms packets from a phone to its endpoint, with the phone's own numbering. */
async function talk(from: Leg, count: number, o: { payloadType?: number; payload?: Uint8Array | number; ssrc?: number; firstSequence?: number; firstTimestamp?: number; gapMs?: number } = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const packet = rtpPacket({
      payloadType: o.payloadType ?? 0,
      sequence: (o.firstSequence ?? 1000) + i,
      timestamp: (o.firstTimestamp ?? 50_000) + 160 * i,
      ssrc: o.ssrc ?? 0xa11ce,
      marker: i === 0,
      payload: o.payload ?? 0x42,
    });
    await from.phone.send(packet, from.endpoint.localPort);
    if (o.gapMs) await sleep(o.gapMs);
  }
}

function assertOneStream(t: import("ava").ExecutionContext, packets: ReceivedPacket[], ssrc: number, what: string): void {
  t.true(packets.length > 0, `${what}: no packets`);
  t.true(packets.every((p) => p.ssrc === ssrc), `${what}: the endpoint's own SSRC throughout`);
  const gaps = packets.slice(1).filter((p, i) => p.sequence !== ((packets[i]!.sequence + 1) & 0xffff));
  t.is(gaps.length, 0, `${what}: sequence numbers continue`);
}

test("50 PCMU packets from phone A reach phone B with the same payload, as B's endpoint's own stream", async (t) => {
  await using r = await twoLegs();
  const payload = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
  await talk(r.a, 50, { payload });
  await waitFor(() => r.b.phone.packets.length >= 50);
  await sleep(30);
  const got = r.b.phone.packets;
  t.is(got.length, 50);
  t.true(got.every((p) => p.payloadType === 0 && Buffer.from(payload).equals(p.payload)));
  assertOneStream(t, got, r.b.endpoint.ssrc, "B");
  t.true(got[0]!.marker, "a new stream starts with the marker bit");
  t.false(got.slice(1).some((p) => p.marker));
  t.true(got.slice(1).every((p, i) => p.timestamp === ((got[i]!.timestamp + 160) >>> 0)), "the source's timestamp spacing is kept");
  t.like(r.a.endpoint.stats, { packetsReceived: 50, relayed: 50, transcoded: 0, dropped: 0 });
  t.like(r.b.endpoint.stats, { packetsSent: 50, bytesSent: 50 * 172 });
  t.is(r.a.phone.packets.length, 0, "nothing echoes back to A");
  // And the other way.
  await talk(r.b, 10, { ssrc: 0xb0b });
  await waitFor(() => r.a.phone.packets.length >= 10);
  assertOneStream(t, r.a.phone.packets, r.a.endpoint.ssrc, "A");
});

test("the same codec under different payload types on the two legs is relayed, not transcoded, with B's payload type", async (t) => {
  await using r = await twoLegs(PCMU_ONLY, { payloads: "96 101", rtpmaps: ["a=rtpmap:96 PCMU/8000", "a=rtpmap:101 telephone-event/8000"] });
  t.like(r.b.endpoint.negotiated, { codec: "PCMU", payloadType: 96 });
  await talk(r.a, 5, { payload: 0x33 });
  await waitFor(() => r.b.phone.packets.length >= 5);
  t.true(r.b.phone.packets.every((p) => p.payloadType === 96 && p.payload.every((x) => x === 0x33)));
  t.is(r.a.endpoint.stats.transcoded, 0);
});

test("PCMU leg ↔ PCMA leg: every code is converted as G.711 decode then encode, silence 0xFF → 0xD5", async (t) => {
  await using r = await twoLegs(PCMU_ONLY, PCMA_ONLY);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  await talk(r.a, 2, { payload: all.subarray(0, 128) });
  await talk(r.a, 2, { payload: all.subarray(128), firstSequence: 2000 });
  await talk(r.a, 1, { payload: 0xff, firstSequence: 3000 });
  await waitFor(() => r.b.phone.packets.length >= 5);
  const b = r.b.phone.packets;
  t.true(b.every((p) => p.payloadType === 8));
  const expected = encodeG711("alaw", decodeG711("ulaw", all));
  t.deepEqual([...b[0]!.payload, ...b[2]!.payload], [...expected]);
  t.deepEqual([...expected], [...ULAW_TO_ALAW]);
  t.true(b[4]!.payload.every((x) => x === 0xd5), "µ-law silence arrives as A-law silence");
  t.like(r.a.endpoint.stats, { relayed: 5, transcoded: 5 });

  await talk(r.b, 1, { payloadType: 8, payload: all.subarray(0, 160), ssrc: 0xb0b });
  await talk(r.b, 1, { payloadType: 8, payload: 0xd5, ssrc: 0xb0b, firstSequence: 1001 });
  await waitFor(() => r.a.phone.packets.length >= 2);
  const [codes, silence] = r.a.phone.packets;
  t.is(codes!.payloadType, 0);
  t.deepEqual([...codes!.payload], [...encodeG711("ulaw", decodeG711("alaw", all.subarray(0, 160)))]);
  t.deepEqual([...codes!.payload], [...ALAW_TO_ULAW.subarray(0, 160)]);
  // A-law has no zero: 0xD5 is +8, which µ-law holds exactly as 0xFE.
  t.true(silence!.payload.every((x) => x === 0xfe));
  t.deepEqual([...decodeG711("ulaw", silence!.payload.subarray(0, 1))], [8]);
  t.like(r.b.endpoint.stats, { relayed: 2, transcoded: 2 });
});

test("CSRCs, header extensions and padding of the incoming packet are not passed on: only the payload is", async (t) => {
  await using r = await twoLegs();
  const payload = Uint8Array.from({ length: 160 }, (_, i) => i);
  await r.a.phone.send(rtpPacket({ payloadType: 0, sequence: 1, timestamp: 1, ssrc: 5, payload, csrcs: [1, 2], extensionWords: 2, padding: 4 }), r.a.endpoint.localPort);
  await waitFor(() => r.b.phone.packets.length >= 1);
  const [p] = r.b.phone.packets;
  t.true(Buffer.from(payload).equals(p!.payload), "the receiver sees a 12-byte header and the bare payload");
});

test("a DTMF key press on A reaches B with B's telephone-event payload type and is still reported on A", async (t) => {
  const server = await newServer(4);
  const a = await leg(server, { payloads: "0 101" });
  const sink = await startRtpSink({ payloadType: 96, t });
  const b = await server.open();
  b.answer(audioOffer(sink.port, { payloads: "0 96", rtpmaps: ["a=rtpmap:0 PCMU/8000", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-16"] }));
  const room = new MediaRoom(silentLogger());
  room.join(a.endpoint, { role: "active" });
  room.join(b, { role: "active" });
  const reported: string[] = [];
  a.endpoint.on("dtmf", (d, source) => reported.push(`${d}/${source}`));
  let seq = 100;
  for (const [event, timestamp] of [[5, 8000], [11, 16000]] as const) {
    for (let i = 0; i < 4; i++) await a.phone.send(dtmfPacket({ event, end: false, duration: 160 * (i + 1), sequence: seq++, timestamp, marker: i === 0 }), a.endpoint.localPort);
    for (let i = 0; i < 3; i++) await a.phone.send(dtmfPacket({ event, end: true, duration: 800, sequence: seq++, timestamp }), a.endpoint.localPort);
  }
  t.is(await sink.waitForDigits(2), "5#", "B's phone decodes the relayed events with payload type 96");
  t.true(sink.events().every((e) => e.ssrc === b.ssrc && e.packets === 7));
  await waitFor(() => reported.length >= 2);
  t.deepEqual(reported, ["5/rfc4733", "#/rfc4733"]);
  t.is(a.endpoint.stats.relayed, 14);
  room.close();
  server.close();
  a.phone.close();
});

test("a leg whose answer had no telephone-event gets no RFC 4733 packets, and the digit is still reported", async (t) => {
  const server = await newServer(4);
  const a = await leg(server, { payloads: "0 101" });
  const bPhone = await RtpPeer.create();
  const b = await server.open();
  b.offer();
  b.acceptAnswer(audioOffer(bPhone.port, { payloads: "0", rtpmaps: ["a=rtpmap:0 PCMU/8000"] }));
  const room = new MediaRoom(silentLogger());
  room.join(a.endpoint, { role: "active" });
  room.join(b, { role: "active" });
  const digits: string[] = [];
  a.endpoint.on("dtmf", (d) => digits.push(d));
  for (let i = 0; i < 3; i++) await a.phone.send(dtmfPacket({ event: 3, end: i > 0, duration: 400, sequence: i, timestamp: 800, marker: i === 0 }), a.endpoint.localPort);
  await talk(a, 2);
  await waitFor(() => bPhone.packets.length >= 2);
  await sleep(20);
  t.deepEqual(digits, ["3"]);
  t.true(bPhone.packets.every((p) => p.payloadType === 0), "only the audio went across");
  t.like(a.endpoint.stats, { relayed: 2, dropped: 3 });
  room.close();
  server.close();
  a.phone.close();
  bPhone.close();
});

test("comfort noise, payload types not negotiated and garbage are dropped and counted", async (t) => {
  await using r = await twoLegs();
  await r.a.phone.send(rtpPacket({ payloadType: 13, sequence: 1, timestamp: 1, ssrc: 9, payload: Uint8Array.of(40) }), r.a.endpoint.localPort);
  await r.a.phone.send(rtpPacket({ payloadType: 8, sequence: 2, timestamp: 2, ssrc: 9 }), r.a.endpoint.localPort); // PCMA was not answered
  await r.a.phone.send(rtpPacket({ payloadType: 18, sequence: 3, timestamp: 3, ssrc: 9 }), r.a.endpoint.localPort);
  await r.a.phone.send(Buffer.from("not rtp at all"), r.a.endpoint.localPort);
  await talk(r.a, 1);
  await waitFor(() => r.b.phone.packets.length >= 1);
  await sleep(20);
  t.is(r.b.phone.packets.length, 1);
  t.like(r.a.endpoint.stats, { packetsReceived: 5, relayed: 1, dropped: 4 });
});

test("playback wins: nothing is relayed to a leg while it plays, and relayed audio after the prompt continues its stream", async (t) => {
  await using r = await twoLegs();
  let talking = true;
  const talker = (async () => {
    for (let i = 0; talking; i++) {
      await r.a.phone.send(rtpPacket({ payloadType: 0, sequence: 7000 + i, timestamp: 90_000 + 160 * i, ssrc: 0xa11ce, payload: 0x42 }), r.a.endpoint.localPort);
      await sleep(20);
    }
  })();
  await waitFor(() => r.b.phone.packets.length >= 5);
  t.is(await r.b.endpoint.play(["one-second"]), "completed");
  await waitFor(() => r.b.phone.packets.filter((p) => p.payload[0] === 0x42).length >= 15);
  talking = false;
  await talker;
  await sleep(30);

  const got = r.b.phone.packets;
  const relayed = (p: ReceivedPacket): boolean => p.payload.every((x) => x === 0x42);
  const firstPrompt = got.findIndex((p) => !relayed(p));
  const lastPrompt = got.length - 1 - [...got].reverse().findIndex((p) => !relayed(p));
  t.true(firstPrompt >= 5);
  t.is(lastPrompt - firstPrompt + 1, 50, "the whole prompt, with no relayed packet inside it");
  t.true(got.slice(firstPrompt, lastPrompt + 1).every((p) => !relayed(p)));
  assertOneStream(t, got, r.b.endpoint.ssrc, "B across relay → prompt → relay");
  // Each switch of source is a new talk spurt: marker bit, and the timestamp moves forward, never back.
  t.deepEqual(
    got.map((p, i) => (p.marker ? i : -1)).filter((i) => i >= 0),
    [0, firstPrompt, lastPrompt + 1],
  );
  const intoPrompt = (got[firstPrompt]!.timestamp - got[firstPrompt - 1]!.timestamp) >>> 0;
  t.true(intoPrompt >= 160 && intoPrompt < 8000, `timestamp advanced ${intoPrompt} samples into the prompt`);
  const afterPrompt = got[lastPrompt + 1]!;
  const promptEnd = got[lastPrompt]!;
  const advanced = (afterPrompt.timestamp - promptEnd.timestamp) >>> 0;
  t.true(advanced >= 160 && advanced < 8000, `timestamp advanced ${advanced} samples after the prompt`);
  t.true(got.slice(lastPrompt + 2).every((p, i) => p.timestamp === ((got[lastPrompt + 1 + i]!.timestamp + 160) >>> 0)));
  t.true(r.a.endpoint.stats.dropped >= 40, `A's packets during the prompt were dropped (${r.a.endpoint.stats.dropped})`);
});

test("a new source on a leg (the other phone's SSRC changes) starts a new talk spurt without breaking the sequence", async (t) => {
  await using r = await twoLegs();
  await talk(r.a, 5, { ssrc: 1, firstSequence: 10, firstTimestamp: 1000 });
  await talk(r.a, 5, { ssrc: 2, firstSequence: 60000, firstTimestamp: 4_000_000_000 });
  await waitFor(() => r.b.phone.packets.length >= 10);
  const got = r.b.phone.packets;
  assertOneStream(t, got, r.b.endpoint.ssrc, "B");
  t.deepEqual(
    got.map((p, i) => (p.marker ? i : -1)).filter((i) => i >= 0),
    [0, 5],
  );
  t.true(((got[5]!.timestamp - got[4]!.timestamp) >>> 0) < 8000, "the new source is mapped onto B's clock");
});

test("a passive participant hears both active legs mixed into one stream in its own codec; what it sends is ignored", async (t) => {
  await using r = await twoLegs(PCMU_ONLY, PCMU_ONLY);
  const recorder = await leg(r.server, PCMA_ONLY);
  r.room.join(recorder.endpoint, { role: "passive" });
  t.is(r.room.roleOf(recorder.endpoint), "passive");
  const [ua, ub] = encodeG711("ulaw", Int16Array.of(1000, 2000));
  const send = (from: Leg, code: number, ssrc: number) =>
    talk(from, 40, { payload: code, ssrc, gapMs: 20 });
  const recorderTalks = talk(recorder, 20, { payload: 0x11, ssrc: 0xdead, gapMs: 20 });
  await Promise.all([send(r.a, ua!, 0xa), send(r.b, ub!, 0xb), recorderTalks]);
  await sleep(60);
  const got = recorder.phone.packets;
  t.true(got.length >= 35, `${got.length} mixed frames`);
  t.true(got.every((p) => p.payloadType === 8 && p.payload.length === 160));
  assertOneStream(t, got, recorder.endpoint.ssrc, "recorder");
  t.true(got.slice(1).every((p, i) => p.timestamp === ((got[i]!.timestamp + 160) >>> 0)), "one frame every 20 ms of RTP time");
  // Both legs summed, then A-law quantised.
  const sum = decodeG711("ulaw", Uint8Array.of(ua!))[0]! + decodeG711("ulaw", Uint8Array.of(ub!))[0]!;
  const both = decodeG711("alaw", encodeG711("alaw", Int16Array.of(sum)))[0]!;
  const decoded = got.map((p) => decodeG711("alaw", p.payload));
  const full = decoded.filter((s) => s.every((x) => x === both)).length;
  t.log(`${full} of ${got.length} mixed frames carry both legs (sample ${both})`);
  t.true(full >= 25, `${full} of ${got.length} frames carry both legs (${both})`);
  t.true(decoded.every((s) => s.every((x) => x >= 0 && x <= both)), "nothing but the legs and silence");
  // The recorder's packets went nowhere.
  t.true(r.a.phone.packets.every((p) => p.payload[0] === ub));
  t.true(r.b.phone.packets.every((p) => p.payload[0] === ua));
  t.like(recorder.endpoint.stats, { packetsReceived: 20, relayed: 0, dropped: 20 });
  recorder.phone.close();
});

test("leave() stops the relay to and from a leg; close() empties the room without closing any endpoint", async (t) => {
  await using r = await twoLegs();
  const events: string[] = [];
  r.room.on("left", (e, reason) => events.push(`${e === r.a.endpoint ? "A" : "B"} ${reason}`));
  r.room.on("close", () => events.push("close"));
  await talk(r.a, 3);
  await waitFor(() => r.b.phone.packets.length >= 3);
  t.true(r.room.leave(r.b.endpoint));
  t.false(r.room.leave(r.b.endpoint));
  await talk(r.a, 3, { firstSequence: 10 });
  await talk(r.b, 3, { ssrc: 0xb });
  await sleep(40);
  t.is(r.b.phone.packets.length, 3);
  t.is(r.a.phone.packets.length, 0);
  t.like(r.a.endpoint.stats, { relayed: 3, dropped: 3 }, "alone in the room, A's packets go nowhere");
  t.like(r.b.endpoint.stats, { relayed: 0, dropped: 0 }, "out of the room, B's packets are not the room's business");
  r.room.close();
  r.room.close();
  t.true(r.room.closed);
  t.deepEqual(events, ["B left", "A roomClosed", "close"]);
  t.false(r.a.endpoint.closed || r.b.endpoint.closed);
  t.is(r.room.participants.length, 0);
  // Free to join another room.
  const next = new MediaRoom(silentLogger());
  next.join(r.a.endpoint, { role: "active" });
  next.join(r.b.endpoint, { role: "active" });
  await talk(r.b, 2, { ssrc: 0xb, firstSequence: 50 });
  await waitFor(() => r.a.phone.packets.length >= 2);
  t.throws(() => r.room.join(r.a.endpoint, { role: "active" }), { code: "CTI_ERR_BAD_REQUEST" });
  next.close();
});

test("closing an endpoint takes it out of its room: no more sends, and the port pool is full again after closing everything", async (t) => {
  await using r = await twoLegs();
  const left: string[] = [];
  r.room.on("left", (_e, reason) => left.push(reason));
  await talk(r.a, 2);
  await waitFor(() => r.b.phone.packets.length >= 2);
  r.b.endpoint.close();
  t.deepEqual(left, ["endpointClosed"]);
  t.deepEqual(r.room.participants.map((p) => p.endpoint), [r.a.endpoint]);
  await talk(r.a, 5, { firstSequence: 10 });
  await sleep(40);
  t.is(r.b.phone.packets.length, 2);
  t.like(r.a.endpoint.stats, { relayed: 2, dropped: 5 });
  r.a.endpoint.close();
  t.is(r.room.participants.length, 0);
  t.false(r.room.closed, "the room stays until its owner closes it");
  r.room.close();
  await waitFor(() => r.server.portsFree === r.server.portsTotal);
  t.is(r.server.endpoints.size, 0);
});

test("join() refuses a third active participant, an endpoint of another room, a closed endpoint; re-joining changes the role", async (t) => {
  await using r = await twoLegs();
  const third = await r.server.open();
  t.throws(() => r.room.join(third, { role: "active" }), { code: "CTI_ERR_BAD_REQUEST", message: /2 active participants/ });
  const other = new MediaRoom(silentLogger());
  t.throws(() => other.join(r.a.endpoint, { role: "active" }), { code: "CTI_ERR_BAD_REQUEST", message: /another media room/ });
  r.room.join(r.a.endpoint, { role: "active" }); // already there: nothing happens
  r.room.join(r.b.endpoint, { role: "passive" });
  t.is(r.room.roleOf(r.b.endpoint), "passive");
  r.room.join(third, { role: "active" });
  t.deepEqual(r.room.participants.map((p) => p.role), ["active", "passive", "active"]);
  third.close();
  t.throws(() => other.join(third, { role: "passive" }), { code: "CTI_ERR_MEDIA_NOT_NEGOTIATED" });
  other.close();
});

test("looping music repeats the prompt without a gap until stopPlayback(), then resolves \"interrupted\"", async (t) => {
  const server = await newServer(2);
  const phone = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(phone.port));
  const ended: string[] = [];
  endpoint.on("playbackEnded", (result) => ended.push(result));
  const music = endpoint.play(["one-second"], { loop: true });
  await waitFor(() => phone.packets.length >= 120, 5000);
  t.true(endpoint.playing);
  endpoint.stopPlayback();
  t.is(await music, "interrupted");
  const got = phone.packets;
  t.true(got.length > 50, `${got.length} packets > one prompt of 50`);
  assertOneStream(t, got, endpoint.ssrc, "music");
  t.is(got.filter((p) => p.marker).length, 1, "one talk spurt across the loops");
  t.true(got.slice(1).every((p, i) => p.timestamp === ((got[i]!.timestamp + 160) >>> 0)));
  t.true(got[50]!.payload.equals(got[0]!.payload) && got[75]!.payload.equals(got[25]!.payload), "the second round is the first again");
  const looped = endpoint.play(["one-second"], { loop: true });
  await waitFor(() => endpoint.playing);
  endpoint.close();
  t.is(await looped, "closed");
  t.deepEqual(ended, ["interrupted", "closed"]);
  server.close();
  phone.close();
});
