import test from "ava";
import { decodeG711 } from "../../ivr/media/g711.js";
import { audioOffer, newServer, RtpPeer, waitFor, type ReceivedPacket } from "./media-test-helpers.js";

async function playTo(payloads: string, prompts: string[]) {
  const server = await newServer(4);
  const peer = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(peer.port, { payloads }));
  const result = await endpoint.play(prompts);
  return { server, peer, endpoint, result };
}

function assertContinuous(t: import("ava").ExecutionContext, packets: ReceivedPacket[]): void {
  for (let i = 1; i < packets.length; i++) {
    const a = packets[i - 1]!;
    const b = packets[i]!;
    if (b.sequence !== ((a.sequence + 1) & 0xffff) || b.timestamp !== ((a.timestamp + 160) >>> 0) || b.ssrc !== a.ssrc) {
      t.fail(`packet ${i}: seq ${a.sequence}→${b.sequence}, ts ${a.timestamp}→${b.timestamp}`);
      return;
    }
  }
  t.pass();
}

test("a 1 s prompt is sent as 50 PCMU packets of 160 bytes with continuous sequence numbers and timestamps", async (t) => {
  const { server, peer, endpoint, result } = await playTo("0 101", ["one-second"]);
  t.is(result, "completed");
  await waitFor(() => peer.packets.length >= 50);
  await new Promise((r) => setTimeout(r, 60));
  t.is(peer.packets.length, 50);
  t.true(peer.packets.every((p) => p.payloadType === 0 && p.payload.length === 160));
  t.true(peer.packets[0]!.marker, "marker bit on the first packet of the talk spurt");
  t.false(peer.packets.slice(1).some((p) => p.marker));
  assertContinuous(t, peer.packets);
  t.is(endpoint.stats.packetsSent, 50);
  t.is(endpoint.stats.bytesSent, 50 * 172);
  // The tone survives the round trip: it is loud in the middle, not silence.
  const middle = decodeG711("ulaw", peer.packets[25]!.payload);
  t.true(Math.max(...middle) > 10000);
  server.close();
  peer.close();
});

test("the negotiated codec decides the payload: PCMA when the offer prefers it", async (t) => {
  const { server, peer, endpoint } = await playTo("8 0 101", ["one-second"]);
  t.is(endpoint.codec, "PCMA");
  await waitFor(() => peer.packets.length >= 50);
  t.true(peer.packets.every((p) => p.payloadType === 8));
  const middle = decodeG711("alaw", peer.packets[25]!.payload);
  t.true(Math.max(...middle) > 10000);
  server.close();
  peer.close();
});

test("packets are paced at 20 ms without drift over 3 s, and consecutive prompts continue the stream", async (t) => {
  const { server, peer } = await playTo("0 101", ["one-second", "one-second", "one-second"]);
  await waitFor(() => peer.packets.length >= 150);
  const packets = peer.packets;
  t.is(packets.length, 150);
  assertContinuous(t, packets);
  t.is(packets.filter((p) => p.marker).length, 1, "three prompts of one play() are one talk spurt");
  const first = packets[0]!.at;
  // Arrival of packet n against its ideal time n × 20 ms. Drift would make this grow along the stream; timer
  // jitter only scatters it. Compare the medians of the first and last second, and bound the scatter.
  const lateness = packets.map((p, n) => p.at - first - n * 20);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const drift = median(lateness.slice(-50)) - median(lateness.slice(0, 50));
  const center = median(lateness);
  const scatter = Math.max(...lateness.map((x) => Math.abs(x - center)));
  const total = packets[149]!.at - first;
  const worstAt = lateness.findIndex((x) => Math.abs(x - center) === scatter);
  t.log(`drift ${drift.toFixed(2)} ms over 3 s, scatter ±${scatter.toFixed(2)} ms (packet ${worstAt}), 150 packets in ${total.toFixed(1)} ms`);
  t.true(Math.abs(drift) < 3, `drift ${drift.toFixed(2)} ms`);
  t.true(scatter < 40, `scatter ${scatter.toFixed(2)} ms`);
  server.close();
  peer.close();
});

test("a second play() is a new talk spurt: marker bit again and the timestamp jumps over the silence", async (t) => {
  const { server, peer, endpoint } = await playTo("0 101", ["one-second"]);
  await waitFor(() => peer.packets.length >= 50);
  await new Promise((r) => setTimeout(r, 200));
  t.is(await endpoint.play(["one-second"]), "completed");
  await waitFor(() => peer.packets.length >= 100);
  const last = peer.packets[49]!;
  const next = peer.packets[50]!;
  t.true(next.marker);
  t.is(next.sequence, (last.sequence + 1) & 0xffff, "sequence numbers stay continuous");
  const gapSamples = (next.timestamp - last.timestamp) >>> 0;
  const gapMs = next.at - last.at;
  t.true(Math.abs(gapSamples / 8 - gapMs) <= 25, `timestamp advanced ${gapSamples / 8} ms for ${gapMs.toFixed(1)} ms of silence`);
  server.close();
  peer.close();
});

test("stopPlayback() interrupts, a newer play() interrupts the older, close() resolves \"closed\"", async (t) => {
  const server = await newServer(4);
  const peer = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(peer.port));
  const ended: string[] = [];
  endpoint.on("playbackEnded", (r) => ended.push(r));

  const first = endpoint.play(["goodbye"]);
  await waitFor(() => peer.packets.length >= 3);
  endpoint.stopPlayback();
  t.is(await first, "interrupted");
  const sentAtStop = peer.packets.length;
  await new Promise((r) => setTimeout(r, 80));
  t.true(peer.packets.length <= sentAtStop + 1, "no packets after stopPlayback()");

  const older = endpoint.play(["goodbye"]);
  await waitFor(() => endpoint.playing);
  const newer = endpoint.play(["goodbye"]);
  t.is(await older, "interrupted");
  await waitFor(() => endpoint.playing);
  endpoint.close();
  t.is(await newer, "closed");
  t.is(await endpoint.play(["goodbye"]), "closed", "play() on a closed endpoint resolves at once");
  t.deepEqual(ended, ["interrupted", "interrupted", "closed"]);
  server.close();
  peer.close();
});

test("interruptOnDtmf stops the prompt at the first digit and the digit is still reported", async (t) => {
  const server = await newServer(4);
  const peer = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(peer.port));
  const digits: string[] = [];
  endpoint.on("dtmf", (d, source) => digits.push(`${d}/${source}`));
  const playing = endpoint.play(["enter-agent-id"], { interruptOnDtmf: true });
  await waitFor(() => peer.packets.length >= 2);
  endpoint.injectDtmf("5");
  t.is(await playing, "interrupted");
  t.deepEqual(digits, ["5/info"]);
  t.throws(() => endpoint.injectDtmf("x"), { code: "CTI_ERR_BAD_REQUEST" });
  server.close();
  peer.close();
});

test("nothing is sent while the remote side holds the call (sendonly offer), and sending resumes after", async (t) => {
  const server = await newServer(4);
  const peer = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(peer.port, { direction: "sendonly" }));
  t.is(await endpoint.play(["one-second"]), "completed");
  t.is(peer.packets.length, 0);
  endpoint.answer(audioOffer(peer.port, { direction: "sendrecv", version: 2 }));
  t.is(await endpoint.play(["one-second"]), "completed");
  await waitFor(() => peer.packets.length >= 50);
  t.true(peer.packets[0]!.marker);
  server.close();
  peer.close();
});

test("play() rejects before an answer and for a prompt that does not exist", async (t) => {
  const server = await newServer(4);
  const endpoint = await server.open();
  await t.throwsAsync(endpoint.play(["goodbye"]), { code: "CTI_ERR_MEDIA_NOT_NEGOTIATED" });
  endpoint.answer(audioOffer(40000));
  await t.throwsAsync(endpoint.play(["no-such-prompt"]), { code: "CTI_ERR_NOT_FOUND" });
  server.close();
});

test("100 endpoints playing at once each send exactly their 50 packets, in order", async (t) => {
  const server = await newServer(100);
  const peer = await RtpPeer.create();
  peer.socket.setRecvBufferSize(4 * 1024 * 1024);
  const endpoints = await Promise.all(Array.from({ length: 100 }, () => server.open()));
  for (const e of endpoints) e.answer(audioOffer(peer.port));
  const results = await Promise.all(endpoints.map((e) => e.play(["one-second"])));
  t.true(results.every((r) => r === "completed"));
  await waitFor(() => peer.packets.length >= 5000);
  const byStream = new Map<number, ReceivedPacket[]>();
  for (const p of peer.packets) byStream.set(p.ssrc, [...(byStream.get(p.ssrc) ?? []), p]);
  t.is(byStream.size, 100);
  t.true([...byStream.values()].every((s) => s.length === 50 && s.every((p, i) => i === 0 || p.sequence === ((s[i - 1]!.sequence + 1) & 0xffff))));
  server.close();
  peer.close();
});

test("the latest play() wins even when an earlier one is still loading its prompts", async (t) => {
  const server = await newServer(2);
  const peer = await RtpPeer.create();
  const endpoint = await server.open();
  endpoint.answer(audioOffer(peer.port));
  await server.prompts.load("one-second"); // cached: the second call is ready first
  const slow = endpoint.play(["logon-failed"]);
  const fast = endpoint.play(["one-second"]);
  t.is(await slow, "interrupted");
  t.is(await fast, "completed");
  await waitFor(() => peer.packets.length >= 50);
  await new Promise((r) => setTimeout(r, 60));
  t.is(peer.packets.length, 50, "only the one-second prompt was sent");
  server.close();
  peer.close();
});
