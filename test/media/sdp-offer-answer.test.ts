import test from "ava";
import * as sdpTransform from "sdp-transform";
import { answerOffer } from "../../ivr/media/sdp-offer-answer.js";
import { audioOffer, newServer } from "./media-test-helpers.js";

const local = { address: "127.0.0.1", port: 40000, sessionId: "42", sessionVersion: 1 };

test("the first offered G.711 codec is chosen, with the offer's telephone-event payload type", (t) => {
  const { answer, media } = answerOffer(
    audioOffer(5004, { payloads: "9 8 0 96", rtpmaps: ["a=rtpmap:9 G722/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:96 telephone-event/8000"] }),
    local,
  );
  t.like(media, { codec: "PCMA", payloadType: 8, telephoneEventPayloadType: 96, remoteAddress: "127.0.0.1", remotePort: 5004, direction: "sendrecv" });
  const sdp = sdpTransform.parse(answer);
  const m = sdp.media[0]!;
  t.is(m.port, 40000);
  t.is(m.payloads, "8 96");
  t.deepEqual(m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`), ["8 PCMA/8000", "96 telephone-event/8000"]);
  t.is(m.ptime, 20);
  t.is(m.direction, "sendrecv");
  t.is(sdp.connection?.ip, "127.0.0.1");
  t.is(sdp.origin.sessionVersion, 1);
});

test("static payload types without rtpmap are understood; telephone-event defaults to 101 when not offered", (t) => {
  const { answer, media } = answerOffer(audioOffer(5004, { payloads: "18 0", rtpmaps: [] }), local);
  t.like(media, { codec: "PCMU", payloadType: 0, telephoneEventPayloadType: 101 });
  t.regex(answer, /^m=audio 40000 RTP\/AVP 0 101\r$/m);
  t.regex(answer, /^a=rtpmap:101 telephone-event\/8000\r$/m);
  t.regex(answer, /^a=fmtp:101 0-16\r$/m);
});

test("an offer without PCMU or PCMA is refused with NO_COMMON_CODEC (a 488 for the SIP layer)", (t) => {
  const error = t.throws(() => answerOffer(audioOffer(5004, { payloads: "9 18 101", rtpmaps: ["a=rtpmap:9 G722/8000", "a=rtpmap:18 G729/8000"] }), local));
  t.like(error, { code: "CTI_ERR_NO_COMMON_CODEC", httpStatus: 488 });
  // PCMU at another clock rate is not G.711 at 8 kHz.
  t.throws(() => answerOffer(audioOffer(5004, { payloads: "96", rtpmaps: ["a=rtpmap:96 PCMU/16000"] }), local), { code: "CTI_ERR_NO_COMMON_CODEC" });
  t.throws(() => answerOffer("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", local), { code: "CTI_ERR_NO_COMMON_CODEC" });
});

test("streams we do not take are refused with port 0, keeping the m-line order", (t) => {
  const offer = [
    "v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
    "m=video 6000 RTP/AVP 96", "a=rtpmap:96 H264/90000",
    "m=audio 6002 RTP/AVP 0", "c=IN IP4 10.0.0.2", "",
  ].join("\r\n");
  const { answer, media } = answerOffer(offer, local);
  t.is(media.remoteAddress, "10.0.0.2", "media-level c= wins over session-level");
  const sdp = sdpTransform.parse(answer);
  t.deepEqual(sdp.media.map((m) => `${m.type} ${m.port}`), ["video 0", "audio 40000"]);
});

test("hold offers are answered with the mirrored direction; c=0.0.0.0 leaves no address to send to", (t) => {
  t.is(answerOffer(audioOffer(5004, { direction: "sendonly" }), local).media.direction, "recvonly");
  t.is(answerOffer(audioOffer(5004, { direction: "recvonly" }), local).media.direction, "sendonly");
  t.is(answerOffer(audioOffer(5004, { direction: "inactive" }), local).media.direction, "inactive");
  const held = answerOffer(audioOffer(5004, { address: "0.0.0.0" }), local);
  t.is(held.media.remoteAddress, undefined);
  t.regex(held.answer, /^a=sendrecv\r$/m);
});

test("a re-offer updates the remote side and increments the o= version; an unchanged refresh keeps it", async (t) => {
  const server = await newServer(2);
  const endpoint = await server.open();
  const first = sdpTransform.parse(endpoint.answer(audioOffer(5004)));
  t.is(endpoint.remotePort, 5004);
  t.is(endpoint.codec, "PCMU");
  const refresh = sdpTransform.parse(endpoint.answer(audioOffer(5004, { version: 2 })));
  t.is(refresh.origin.sessionVersion, first.origin.sessionVersion, "same answer, same version");
  const hold = sdpTransform.parse(endpoint.answer(audioOffer(5004, { direction: "sendonly", version: 3 })));
  t.is(hold.origin.sessionVersion, first.origin.sessionVersion + 1);
  t.is(hold.origin.sessionId, first.origin.sessionId);
  t.is(hold.media[0]!.direction, "recvonly");
  const moved = sdpTransform.parse(endpoint.answer(audioOffer(7008, { address: "127.0.0.2", payloads: "8 101", version: 4 })));
  t.is(moved.origin.sessionVersion, first.origin.sessionVersion + 2);
  t.is(endpoint.remoteAddress, "127.0.0.2");
  t.is(endpoint.remotePort, 7008);
  t.is(endpoint.codec, "PCMA");
  t.throws(() => endpoint.answer(audioOffer(5004, { payloads: "18", rtpmaps: [] })), { code: "CTI_ERR_NO_COMMON_CODEC" });
  t.is(endpoint.codec, "PCMA", "a refused re-offer leaves the session as it was");
  server.close();
});
