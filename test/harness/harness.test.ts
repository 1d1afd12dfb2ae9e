// Self-tests of the real-peer harness: Kamailio, SIPp phones and callers, RFC 2833 DTMF, baresip, cleanup.
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { isPidAlive } from "./child.js";
import { freePortRange, freeTcpUdpPort, freeUdpPort, isListening } from "./free-port.js";
import { DEFAULT_BVD_PATTERN, prefixesToPattern, startKamailio } from "./kamailio.js";
import { startRtpSink } from "./rtp-sink.js";
import { writeRtpEventPcap } from "./rtp-event-pcap.js";
import { sipPing } from "./sip-ping.js";
import { call, optionsResponder, registeredPhone, runSipp, startCall } from "./sipp.js";
import { renderCallScenario, renderPhoneScenario } from "./sipp-scenario.js";
import { parseSippTrace } from "./sipp-trace.js";
import { startBaresip } from "./baresip.js";
import { testTempDir } from "./temp-dir.js";

test("free ports are bindable on 127.0.0.1 and ranges start even", async (t) => {
  const udp = await freeUdpPort();
  const both = await freeTcpUdpPort(2);
  const range = await freePortRange(4);
  t.true(udp > 0 && both > 0);
  t.is(range % 2, 0);
  t.false(isListening(both, "tcp"));
  t.false(isListening(both + 1, "udp"));
  t.not(await freeTcpUdpPort(), both, "a port handed out is not handed out again at once");
});

test("route prefixes become an anchored pattern and reject non-digits", (t) => {
  t.is(prefixesToPattern(["2", "3"]), "^(2|3)[0-9*#]*$");
  t.is(prefixesToPattern(["*8"]), "^([*]8)[0-9*#]*$");
  t.throws(() => prefixesToPattern(["2|.*"]), { message: /digits/ });
  t.is(DEFAULT_BVD_PATTERN, "^[23][0-9]{3}$");
});

test("a caller scenario is rendered per call: DTMF pcaps with rising sequence numbers and one SSRC", (t) => {
  const dir = testTempDir(t);
  const xml = renderCallScenario({ dialed: "2001", from: "1001", dtmf: "00,#", hangup: "remote" }, dir.path, "c1");
  t.regex(xml, /From: <sip:1001@/);
  t.regex(xml, /INVITE sip:2001@/);
  t.regex(xml, /<recv request="BYE"/);
  const files = [...xml.matchAll(/play_pcap_audio="([^"]+)"/g)].map((m) => m[1] as string);
  t.is(files.length, 3);
  const firstPacket = (f: string) => {
    const b = readFileSync(f);
    const rtp = b.subarray(24 + 16 + 14 + 20 + 8);
    return { seq: rtp.readUInt16BE(2), ts: rtp.readUInt32BE(4), ssrc: rtp.readUInt32BE(8), event: rtp[12] };
  };
  const [a, b, c] = files.map(firstPacket) as [ReturnType<typeof firstPacket>, ReturnType<typeof firstPacket>, ReturnType<typeof firstPacket>];
  t.deepEqual([a.event, b.event, c.event], [0, 0, 11]);
  t.is(a.ssrc, c.ssrc);
  t.true(b.seq > a.seq && c.seq > b.seq);
  t.not(a.ts, b.ts, "two equal digits are two events");
  t.throws(() => renderCallScenario({ dialed: "20<01", from: "1001" }, dir.path, "c2"), { message: /bad dialed/ });
});

test("an RFC 4733 pcap has 7 progress packets and 3 end packets with one sequence number", (t) => {
  const dir = testTempDir(t);
  const next = writeRtpEventPcap(dir.join("e.pcap"), { event: 5, ssrc: 1, seq: 65534, timestamp: 8000 });
  t.is(next, (65534 + 8) & 0xffff);
  const b = readFileSync(dir.join("e.pcap"));
  t.is(b.readUInt32LE(0), 0xa1b2c3d4);
  t.is((b.length - 24) / (16 + 14 + 20 + 8 + 16), 10);
});

test("Kamailio starts fast, answers OPTIONS, and is gone after stop", async (t) => {
  const started = Date.now();
  const kam = await startKamailio({ daemonPort: await freeTcpUdpPort(), t });
  const readyMs = Date.now() - started;
  t.log(`Kamailio ready in ${readyMs} ms on ${kam.port}`);
  t.true(readyMs < 1500);
  t.is(await sipPing({ port: kam.port }), 200);
  t.true(isListening(kam.port, "tcp"));
  await kam.stop();
  await kam.stop(); // idempotent
  t.false(isPidAlive(kam.pid));
  t.is(await sipPing({ port: kam.port, timeoutMs: 100 }), undefined);
});

test("a SIPp phone registers, lookup finds it, and a call from the daemon's port reaches it", async (t) => {
  const daemonPort = await freeTcpUdpPort();
  const kam = await startKamailio({ daemonPort, t });
  const phone = await registeredPhone({ proxyPort: kam.port, user: "1001", answer: "auto", t });
  const contact = await kam.lookup("1001");
  t.regex(contact ?? "", new RegExp(`^sip:1001@127\\.0\\.0\\.1:${phone.localPort}`));
  t.is(await kam.lookup("1999"), undefined);
  // The daemon dials the agent's extension: Kamailio sends it to the registered contact.
  const r = await call({ proxyPort: kam.port, localPort: daemonPort, dialed: "1001", from: "2001", holdAfterMs: 100, t });
  t.is(r.exitCode, 0, r.messages);
  t.is(r.received.finalStatus, 200);
  const invite = await phone.waitForInvite(1);
  t.regex(invite.text, /^From: <sip:2001@/m);
  t.regex(invite.text, /^Record-Route:/m);
  t.regex(kam.readLog(), /from the daemon: 1001 -> location/);
  // The phone answers every call, one after the other and at the same time.
  const [a, b] = await Promise.all([
    call({ proxyPort: kam.port, dialed: "1001", from: "1101", holdAfterMs: 300, t }),
    call({ proxyPort: kam.port, dialed: "1001", from: "1102", holdAfterMs: 300, t }),
  ]);
  t.deepEqual([a.exitCode, b.exitCode], [0, 0]);
  t.is(phone.invitesReceived().length, 3);
  // An unregistered extension: 404, ACKed.
  const missing = await call({ proxyPort: kam.port, dialed: "1999", from: "2001", expectStatus: 404, t });
  t.is(missing.exitCode, 0, missing.messages);
  t.is(missing.received.finalStatus, 404);
  await phone.stop();
  await kam.stop();
  t.false(isPidAlive(phone.pid));
  t.false(isPidAlive(kam.pid));
});

test("a phone registered over TCP is reached over its own connection", async (t) => {
  const kam = await startKamailio({ daemonPort: await freeTcpUdpPort(), t });
  const phone = await registeredPhone({ proxyPort: kam.port, user: "1010", answer: "auto", transport: "tcp", t });
  t.regex((await kam.lookup("1010")) ?? "", /transport=TCP/i);
  const r = await call({ proxyPort: kam.port, dialed: "1010", from: "1001", holdAfterMs: 100, t });
  t.is(r.exitCode, 0, r.messages);
  t.regex((await phone.waitForInvite(1)).text, /^Via: SIP\/2\.0\/TCP/m);
});

test("over TCP, the daemon's calls (known by its Via port) go to registered users even to BVD-like numbers", async (t) => {
  const daemonPort = await freeTcpUdpPort();
  const kam = await startKamailio({ daemonPort, daemonTransport: "tcp", t });
  const phone = await registeredPhone({ proxyPort: kam.port, user: "2002", answer: "auto", t });
  const r = await call({ proxyPort: kam.port, transport: "tcp", localPort: daemonPort, dialed: "2002", from: "3000", holdAfterMs: 100, t });
  t.is(r.exitCode, 0, r.messages);
  t.is((await phone.waitForInvite(1)).text.match(/^From: <sip:(\d+)@/m)?.[1], "3000");
  t.regex(kam.readLog(), /from the daemon: 2002 -> location/);
});

test("busy and unanswered phones: 486, and 487 after the caller's CANCEL", async (t) => {
  const kam = await startKamailio({ daemonPort: await freeTcpUdpPort(), t });
  await registeredPhone({ proxyPort: kam.port, user: "1002", answer: "busy", t });
  const busy = await call({ proxyPort: kam.port, dialed: "1002", from: "1001", expectStatus: 486, t });
  t.is(busy.exitCode, 0, busy.messages);
  t.is(busy.received.finalStatus, 486);
  const ringing = await registeredPhone({ proxyPort: kam.port, user: "1003", answer: "none", t });
  const gaveUp = await call({ proxyPort: kam.port, dialed: "1003", from: "1001", cancelAfterMs: 200, t });
  t.is(gaveUp.exitCode, 0, gaveUp.messages);
  t.is(gaveUp.received.finalStatus, 487);
  const phoneSaw = ringing.parsedMessages();
  t.true(phoneSaw.some((m) => m.direction === "received" && m.method === "CANCEL"));
  t.true(phoneSaw.some((m) => m.direction === "sent" && m.status === 487));
});

for (const transport of ["udp", "tcp"] as const) {
  test(`a call to a BVD over ${transport} reaches the daemon stand-in with RFC 2833 DTMF on its media port`, async (t) => {
    const daemonPort = await freeTcpUdpPort();
    const kam = await startKamailio({ daemonPort, daemonTransport: transport, t });
    const rtp = await startRtpSink({ t });
    // The daemon stand-in: a SIPp UAS on the daemon port whose SDP answer points at our socket.
    const daemon = await runSipp(["-m", "1"], renderPhoneScenario({ answer: "auto", sdpMediaPort: rtp.port }), {
      localPort: daemonPort,
      transport,
      name: "daemon",
      t,
    });
    const r = await call({
      proxyPort: kam.port,
      transport,
      dialed: "2001",
      from: "1001",
      dtmf: ["1001#", "1234#"],
      dtmfTiming: { digitMs: 250, pauseMs: 300 },
      waitBeforeDtmfMs: 50,
      holdAfterMs: 200,
      t,
    });
    t.is(r.exitCode, 0, r.messages);
    t.is(r.received.finalStatus, 200);
    t.false(r.received.byeFromRemote);
    const d = await daemon.done;
    t.is(d.exitCode, 0, d.messages);
    const invite = parseSippTrace(d.messages).find((m) => m.direction === "received" && m.method === "INVITE");
    t.regex(invite?.text ?? "", /^From: <sip:1001@/m);
    t.regex(invite?.text ?? "", new RegExp(`^Via: SIP/2\\.0/${transport.toUpperCase()} 127\\.0\\.0\\.1:${kam.port}`, "m"));
    t.is(await rtp.waitForDigits(10, 2000), "1001#1234#");
    t.true(rtp.events().every((e) => e.ended && e.packets === 10));
    t.is(new Set(rtp.events().map((e) => e.ssrc)).size, 1);
  });
}

test("the far end hangs up: a caller with hangup 'remote' sees the BYE", async (t) => {
  const daemonPort = await freeTcpUdpPort();
  const kam = await startKamailio({ daemonPort, routePrefixes: ["80"], t });
  const daemon = await runSipp(["-m", "1"], renderPhoneScenario({ answer: "auto", hangupAfterMs: 200 }), {
    localPort: daemonPort,
    name: "daemon",
    t,
  });
  const r = await call({ proxyPort: kam.port, dialed: "8001", from: "1005", hangup: "remote", byeTimeoutMs: 5000, t });
  t.is(r.exitCode, 0, r.messages);
  t.true(r.received.byeFromRemote);
  t.is((await daemon.done).exitCode, 0);
});

test("the OPTIONS responder answers 200 and counts", async (t) => {
  const responder = await optionsResponder({ t });
  t.is(await sipPing({ port: responder.port, user: "keepalive" }), 200);
  t.is(await sipPing({ port: responder.port }), 200);
  await responder.waitForCount(2, 2000);
  t.is(responder.count(), 2);
  await responder.stop();
  t.false(isPidAlive(responder.pid));
  t.is(await sipPing({ port: responder.port, timeoutMs: 100 }), undefined);
});

test("baresip registers, dials a BVD through Kamailio, sends DTMF, hangs up; every PID is gone after stop", async (t) => {
  const daemonPort = await freeTcpUdpPort();
  const kam = await startKamailio({ daemonPort, t });
  const rtp = await startRtpSink({ t });
  const daemon = await runSipp(["-m", "1"], renderPhoneScenario({ answer: "auto", sdpMediaPort: rtp.port }), {
    localPort: daemonPort,
    name: "daemon",
    t,
  });
  const started = Date.now();
  const phone = await startBaresip({ proxyPort: kam.port, user: "1101", t });
  t.log(`baresip registered in ${Date.now() - started} ms`);
  t.regex((await kam.lookup("1101")) ?? "", new RegExp(`:${phone.sipPort}\\b`));
  t.true((await phone.dial("2001")).ok);
  const est = await phone.waitFor("CALL_ESTABLISHED", 5000);
  t.regex(est.peeruri ?? "", /2001@127\.0\.0\.1/);
  await phone.sendDtmf("42#");
  t.is(await rtp.waitForDigits(3, 3000), "42#");
  await phone.hangup();
  await phone.waitFor("CALL_CLOSED", 5000);
  t.is((await daemon.done).exitCode, 0);

  const pids = [kam.pid, phone.pid, daemon.pid];
  await phone.stop();
  await kam.stop();
  for (const pid of pids) t.false(isPidAlive(pid), `PID ${pid} still running`);
  t.false(existsSync(`/proc/${kam.pid}`));
});

test("a baresip phone in manual answer mode rings until answer()", async (t) => {
  const kam = await startKamailio({ daemonPort: await freeTcpUdpPort(), t });
  const phone = await startBaresip({ proxyPort: kam.port, user: "1102", answermode: "manual", t });
  const caller = await startCall({ proxyPort: kam.port, dialed: "1102", from: "2001", holdAfterMs: 200, t });
  const incoming = await phone.waitFor("CALL_INCOMING", 5000);
  t.regex(incoming.peeruri ?? "", /2001@/);
  t.true((await phone.answer()).ok);
  const r = await caller.done;
  t.is(r.exitCode, 0, r.messages);
  await phone.waitFor("CALL_CLOSED", 5000);
});
