import test from "ava";
import * as sdpTransform from "sdp-transform";
import { decodeG711 } from "../../ivr/media/g711.js";
import { dtmfPacket, LOOPBACK, newServer, phoneAnswer, RtpPeer, sleep, waitFor } from "./media-test-helpers.js";

test("offer() describes the endpoint's port with PCMU, PCMA and telephone-event 0-16, sendrecv", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  const sdp = sdpTransform.parse(endpoint.offer());
  t.is(sdp.origin.username, "ctibridge");
  t.is(sdp.connection?.ip, LOOPBACK);
  t.is(sdp.media.length, 1);
  const m = sdp.media[0]!;
  t.like(m, { type: "audio", port: endpoint.localPort, protocol: "RTP/AVP", payloads: "0 8 101", ptime: 20, direction: "sendrecv" });
  t.deepEqual(m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`), ["0 PCMU/8000", "8 PCMA/8000", "101 telephone-event/8000"]);
  t.deepEqual(m.fmtp, [{ payload: 101, config: "0-16" }]);
  t.is(endpoint.negotiated, undefined, "nothing is negotiated before the answer");
  server.close();
});

test("offer({ prefer: \"PCMA\" }) lists PCMA first", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  const m = sdpTransform.parse(endpoint.offer({ prefer: "PCMA" })).media[0]!;
  t.is(m.payloads, "8 0 101");
  t.deepEqual(m.rtp.map((r) => r.codec), ["PCMA", "PCMU", "telephone-event"]);
  server.close();
});

test("a phone answering PCMA only gets PCMA: the answer decides codec, remote and telephone-event payload type", async (t) => {
  const server = await newServer(2);
  const phone = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.offer();
  const media = endpoint.acceptAnswer(
    phoneAnswer(phone.port, { payloads: "8 96", rtpmaps: ["a=rtpmap:8 PCMA/8000", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-15"] }),
  );
  t.like(media, { codec: "PCMA", payloadType: 8, telephoneEventPayloadType: 96, remoteAddress: LOOPBACK, remotePort: phone.port, direction: "sendrecv" });
  t.is(endpoint.codec, "PCMA");
  // What the answer agreed on is what is sent…
  t.is(await endpoint.play(["one-second"]), "completed");
  await waitFor(() => phone.packets.length >= 50);
  t.true(phone.packets.every((p) => p.payloadType === 8 && p.ssrc === endpoint.ssrc));
  t.true(Math.max(...decodeG711("alaw", phone.packets[25]!.payload)) > 10000, "the tone arrives as A-law");
  // …and the answer's telephone-event payload type is listened to.
  const digits: string[] = [];
  endpoint.on("dtmf", (d) => digits.push(d));
  for (let i = 0; i < 3; i++) await phone.send(dtmfPacket({ event: 7, end: i > 0, duration: 400, sequence: 10 + i, timestamp: 8000, marker: i === 0, payloadType: 96 }), endpoint.localPort);
  await waitFor(() => digits.length >= 1);
  t.deepEqual(digits, ["7"]);
  server.close();
  phone.close();
});

test("the first G.711 codec of the answer wins, codecs we did not offer are skipped, and both laws may come in", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  endpoint.offer({ prefer: "PCMA" });
  const media = endpoint.acceptAnswer(
    phoneAnswer(5004, { payloads: "9 0 8 101", rtpmaps: ["a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000"] }),
  );
  t.is(media.codec, "PCMU", "the answerer's order counts, not ours");
  t.deepEqual(media.receivePayloadTypes, [
    { payloadType: 0, codec: "PCMU" },
    { payloadType: 8, codec: "PCMA" },
  ]);
  server.close();
});

test("an answer without telephone-event leaves no telephone-event payload type (the leg cannot take RFC 4733)", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  endpoint.offer();
  const media = endpoint.acceptAnswer(phoneAnswer(5004, { payloads: "0", rtpmaps: ["a=rtpmap:0 PCMU/8000"] }));
  t.is(media.telephoneEventPayloadType, undefined);
  t.is(endpoint.negotiated?.telephoneEventPayloadType, undefined);
  server.close();
});

test("answers with no common codec or a refused stream throw NO_COMMON_CODEC; an answer without an offer is refused", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  t.throws(() => endpoint.acceptAnswer(phoneAnswer(5004)), { code: "CTI_ERR_MEDIA_NOT_NEGOTIATED" });
  endpoint.offer();
  const g722Only = t.throws(() => endpoint.acceptAnswer(phoneAnswer(5004, { payloads: "9 101", rtpmaps: ["a=rtpmap:9 G722/8000"] })));
  t.like(g722Only, { code: "CTI_ERR_NO_COMMON_CODEC", httpStatus: 488 });
  t.throws(() => endpoint.acceptAnswer(phoneAnswer(0)), { code: "CTI_ERR_NO_COMMON_CODEC" });
  t.throws(() => endpoint.acceptAnswer("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"), { code: "CTI_ERR_NO_COMMON_CODEC" });
  t.is(endpoint.negotiated, undefined, "a failed answer changes nothing");
  // The offer is still waiting: a good answer is taken.
  t.is(endpoint.acceptAnswer(phoneAnswer(5004)).codec, "PCMU");
  t.throws(() => endpoint.acceptAnswer(phoneAnswer(5004)), { code: "CTI_ERR_MEDIA_NOT_NEGOTIATED" }, "one answer per offer");
  endpoint.close();
  t.throws(() => endpoint.offer(), { code: "CTI_ERR_MEDIA_NOT_NEGOTIATED" });
  server.close();
});

test("the answer's direction is mirrored: a phone answering recvonly is sent to, one answering sendonly is not", async (t) => {
  const server = await newServer(2);
  const phone = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.offer();
  t.is(endpoint.acceptAnswer(phoneAnswer(phone.port, { direction: "recvonly" })).direction, "sendonly");
  endpoint.offer();
  t.is(endpoint.acceptAnswer(phoneAnswer(phone.port, { direction: "sendonly" })).direction, "recvonly");
  t.is(await endpoint.play(["one-second"]), "completed");
  await sleep(40);
  t.is(phone.packets.length, 0);
  server.close();
  phone.close();
});

test("after our offer, the phone's re-offer goes through answer(): new remote, new direction, o= version goes up", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  const offer = sdpTransform.parse(endpoint.offer());
  endpoint.acceptAnswer(phoneAnswer(5004));
  const hold = sdpTransform.parse(endpoint.answer(phoneAnswer(6008, { direction: "sendonly", version: 2 })));
  t.is(hold.origin.sessionId, offer.origin.sessionId);
  t.is(hold.origin.sessionVersion, offer.origin.sessionVersion + 1);
  t.like(endpoint.negotiated, { remotePort: 6008, direction: "recvonly", codec: "PCMU" });
  // Same re-offer again (a session refresh): same answer, same version. Our own re-offer changes the SDP: +1.
  t.is(sdpTransform.parse(endpoint.answer(phoneAnswer(6008, { direction: "sendonly", version: 2 }))).origin.sessionVersion, hold.origin.sessionVersion);
  t.is(sdpTransform.parse(endpoint.offer()).origin.sessionVersion, hold.origin.sessionVersion + 1);
  server.close();
});

test("a re-offer that only moves the remote port is applied even though the answer does not change", async (t) => {
  const server = await newServer(2);
  const first = await RtpPeer.create();
  const second = await RtpPeer.create();
  const endpoint = await server.open();
  const a1 = endpoint.answer(phoneAnswer(first.port));
  const a2 = endpoint.answer(phoneAnswer(second.port, { version: 2 }));
  t.is(a2, a1);
  t.is(endpoint.remotePort, second.port);
  t.is(await endpoint.play(["one-second"]), "completed");
  await waitFor(() => second.packets.length >= 50);
  t.is(first.packets.length, 0);
  server.close();
  first.close();
  second.close();
});
