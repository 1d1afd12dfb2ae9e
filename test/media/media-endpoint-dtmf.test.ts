import test from "ava";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import { Rfc4733DtmfReceiver } from "../../ivr/media/rfc4733-dtmf-receiver.js";
import { audioOffer, dtmfPacket, newServer, RtpPeer, sleep, waitFor } from "./media-test-helpers.js";
import { readPcapUdp } from "./pcap-rtp-reader.js";

interface Rig {
  server: MediaServer;
  endpoint: MediaEndpoint;
  phone: RtpPeer;
  digits: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

async function rig(offerPayloads = "0 101", rtpmaps?: string[]): Promise<Rig> {
  const server = await newServer(4);
  const phone = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(phone.port, { payloads: offerPayloads, ...(rtpmaps ? { rtpmaps } : {}) }));
  const digits: string[] = [];
  endpoint.on("dtmf", (d) => digits.push(d));
  return {
    server,
    endpoint,
    phone,
    digits,
    async [Symbol.asyncDispose]() {
      server.close();
      phone.close();
    },
  };
}

/** A key press as a phone sends it: start (marker), progress every 20 ms, three end packets. */
async function keyPress(r: Rig, event: number, timestamp: number, seq: number, options: { start?: boolean; payloadType?: number } = {}): Promise<number> {
  const port = r.endpoint.localPort;
  const pt = options.payloadType ?? 101;
  if (options.start !== false) {
    for (let i = 0; i < 4; i++) {
      await r.phone.send(dtmfPacket({ event, end: false, duration: 160 * (i + 1), sequence: seq++, timestamp, marker: i === 0, payloadType: pt }), port);
      await sleep(5);
    }
  }
  for (let i = 0; i < 3; i++) await r.phone.send(dtmfPacket({ event, end: true, duration: 800, sequence: seq++, timestamp, payloadType: pt }), port);
  return seq;
}

test("start, progress and three end retransmissions are one digit", async (t) => {
  await using r = await rig();
  await keyPress(r, 1, 1000, 10);
  await waitFor(() => r.digits.length >= 1);
  await sleep(30);
  t.deepEqual(r.digits, ["1"]);
});

test("a key press whose start packets were lost (only end packets) is still one digit", async (t) => {
  await using r = await rig();
  await keyPress(r, 9, 5000, 10, { start: false });
  await keyPress(r, 11, 7000, 20, { start: false });
  await waitFor(() => r.digits.length >= 2);
  await sleep(30);
  t.deepEqual(r.digits, ["9", "#"]);
});

test("every digit of a sequence is reported once, including repeats with new timestamps", async (t) => {
  await using r = await rig();
  let seq = 100;
  const events = [1, 1, 10, 0, 12, 15]; // 1 1 * 0 A D
  for (const [i, event] of events.entries()) seq = await keyPress(r, event, 8000 + i * 1600, seq);
  await waitFor(() => r.digits.length >= events.length);
  await sleep(30);
  t.deepEqual(r.digits, ["1", "1", "*", "0", "A", "D"]);
  t.is(r.endpoint.stats.dtmfReceived, 6);
});

test("an identical replayed key press (same timestamp and sequence numbers) counts again after the gap", async (t) => {
  await using r = await rig();
  for (let i = 0; i < 3; i++) {
    await keyPress(r, 4, 4242, 500); // byte-for-byte the same packets each time, as SIPp replays one pcap
    await sleep(60);
  }
  await waitFor(() => r.digits.length >= 3);
  t.deepEqual(r.digits, ["4", "4", "4"]);
});

test("the offer's telephone-event payload type is the one listened to", async (t) => {
  await using r = await rig("8 96", ["a=rtpmap:8 PCMA/8000", "a=rtpmap:96 telephone-event/8000"]);
  t.is(r.endpoint.negotiated?.telephoneEventPayloadType, 96);
  await keyPress(r, 3, 100, 1, { payloadType: 101 }); // not the negotiated type: audio, not DTMF
  await keyPress(r, 7, 200, 10, { payloadType: 96 });
  await waitFor(() => r.digits.length >= 1);
  await sleep(30);
  t.deepEqual(r.digits, ["7"]);
  t.true(r.endpoint.stats.packetsReceived >= 14);
});

test("SIPp's dtmf_2833_1.pcap replayed at its own pace gives the digit 1, four replays give 1111", async (t) => {
  const capture = readPcapUdp("/usr/share/sip-tester/dtmf_2833_1.pcap");
  t.is(capture.length, 10);
  await using r = await rig();
  for (let replay = 0; replay < 4; replay++) {
    const start = performance.now();
    for (const { atMs, payload } of capture) {
      const wait = start + atMs - performance.now();
      if (wait > 1) await sleep(wait);
      await r.phone.send(payload, r.endpoint.localPort);
    }
    await waitFor(() => r.digits.length >= replay + 1);
    // Back to back, the way a SIPp scenario plays the same pcap again for the next digit.
    await sleep(20);
  }
  await sleep(50);
  t.deepEqual(r.digits, ["1", "1", "1", "1"]);
});

test("all SIPp digit pcaps map to their digits", async (t) => {
  await using r = await rig();
  const names = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "star", "pound"];
  for (const name of names) {
    for (const { payload } of readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`)) await r.phone.send(payload, r.endpoint.localPort);
    await waitFor(() => r.digits.length >= names.indexOf(name) + 1);
  }
  t.is(r.digits.join(""), "0123456789*#");
});

test("the receiver ignores late stragglers of the previous key press but not a new press of the same key", (t) => {
  const rx = new Rfc4733DtmfReceiver();
  const p = (event: number, end: boolean): Buffer => Buffer.from([event, end ? 0x8a : 0x0a, 0, 160]);
  t.is(rx.receive(p(2, false), 0, 4, 100, true, 0), "2");
  t.is(rx.receive(p(2, true), 0, 4, 100, false, 100), undefined);
  t.is(rx.receive(p(3, false), 0, 4, 900, true, 120), "3");
  t.is(rx.receive(p(2, true), 0, 4, 100, false, 150), undefined, "late end of the 2");
  t.is(rx.receive(p(3, true), 0, 4, 900, false, 300), undefined);
  t.is(rx.receive(p(3, false), 0, 4, 900, false, 310), undefined, "reordered progress right after the end");
  t.is(rx.receive(p(3, false), 0, 4, 900, true, 320), "3", "a marked start after the end is a new press");
  t.is(rx.receive(p(3, true), 0, 4, 900, false, 400), undefined);
  t.is(rx.receive(p(3, false), 0, 4, 900, false, 420), undefined, "20 ms after the end: a reordered packet");
  t.is(rx.receive(p(3, false), 0, 4, 900, false, 460), "3", "60 ms after the end, even unmarked: a new press");
  t.is(rx.receive(p(16, false), 0, 4, 2000, true, 400), undefined, "flash is not a digit");
  t.is(rx.receive(p(5, false), 0, 3, 3000, true, 500), undefined, "short payload");
});
