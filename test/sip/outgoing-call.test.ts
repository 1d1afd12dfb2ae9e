import dgram from "node:dgram";
import test, { type ExecutionContext } from "ava";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { OUTGOING_CALL_ALLOW, SipStack, type OutgoingCall, type OutgoingCallEnd, type OutgoingCallRequest } from "../../cti/sip/index.js";
import { freeTcpUdpPort } from "../harness/free-port.js";
import { startKamailio, type KamailioInstance } from "../harness/kamailio.js";
import { registeredPhone, runSipp, type SippProcess } from "../harness/sipp.js";
import { renderTemplate } from "../harness/sipp-scenario.js";
import type { SippTracedMessage } from "../harness/sipp-trace.js";
import { phoneAnswersAcrossCancel, phoneDtmfAndHold, phoneEarlyMedia } from "./phone-scenarios.js";
import { LOCAL_SDP, callManager, startStack, until } from "./stack-fixture.js";

interface Bridge {
  stack: SipStack;
  kam: KamailioInstance;
}

/** A SipStack whose one call manager ("cm1") is a Kamailio that knows the stack's port. */
async function bridgeBehindKamailio(t: ExecutionContext, transport: "udp" | "tcp" = "udp"): Promise<Bridge> {
  const port = await freeTcpUdpPort();
  const kam = await startKamailio({ daemonPort: port, daemonTransport: transport, t });
  const stack = new SipStack({
    address: "127.0.0.1",
    port,
    transports: ["udp", "tcp"],
    callManagers: [callManager({ port: kam.port, transport })],
    trustedPeers: [],
    logger: silentLogger(),
    bus: new EventBus(),
  });
  await stack.start();
  t.teardown(() => stack.stop());
  return { stack, kam };
}

/** A phone that registers `user` at Kamailio and runs `scenarioXml` for every call it gets. */
async function customPhone(t: ExecutionContext, kam: KamailioInstance, user: string, scenarioXml: string): Promise<SippProcess> {
  const sipp = await runSipp(
    [`127.0.0.1:${kam.port}`, "-s", user, "-m", "1", "-d", "86400000"],
    renderTemplate("register-and-wait.xml", {}),
    { name: `custom-phone-${user}`, oocScenarioXml: scenarioXml, timeoutMs: 86_400_000, t },
  );
  await sipp.waitForMessage((m) => m.direction === "received" && m.cseqMethod === "REGISTER" && m.status === 200, `200 to REGISTER ${user}`);
  return sipp;
}

interface Recorded {
  events: string[];
  ended: Promise<{ reason: OutgoingCallEnd; status: number | undefined }>;
  answeredSdp: string | undefined;
}

function record(call: OutgoingCall): Recorded {
  const r: Recorded = { events: [], ended: undefined as never, answeredSdp: undefined };
  call.on("ringing", (s) => r.events.push(`ringing ${s}`));
  call.on("answered", (sdp) => {
    r.events.push("answered");
    r.answeredSdp = sdp;
  });
  call.on("dtmf", (d) => r.events.push(`dtmf ${d}`));
  r.ended = new Promise((resolve) =>
    call.on("ended", (reason, status) => {
      r.events.push(`ended ${reason}${status !== undefined ? ` ${status}` : ""}`);
      resolve({ reason, status });
    }),
  );
  return r;
}

function offerTo(target: string, over: Partial<OutgoingCallRequest> = {}): OutgoingCallRequest {
  return {
    callManagerId: "cm1",
    target,
    from: { number: "5551234", name: 'Queue "VIP" Caller' },
    sdpOffer: LOCAL_SDP,
    headers: { "X-CTI-Call-Id": "orig-call-42@10.0.0.9", "X-CTI-Data": "account=77;lang=en" },
    ...over,
  };
}

function headers(m: SippTracedMessage, name: string): string[] {
  const head = m.text.split("\n\n", 1)[0] ?? "";
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, "i");
  return head.split("\n").flatMap((line) => {
    const hit = re.exec(line);
    return hit ? [hit[1]!.trim()] : [];
  });
}

const bodyOf = (m: SippTracedMessage): string => m.text.slice(m.text.indexOf("\n\n") + 2).trim();
const lf = (sdp: string): string => sdp.replace(/\r\n/g, "\n").trim();
const received = (p: SippProcess, method: string): SippTracedMessage[] => p.parsedMessages().filter((m) => m.direction === "received" && m.method === method);

for (const transport of ["udp", "tcp"] as const) {
  test(`over ${transport}, the INVITE reaches the registered phone with the caller's identity and extra headers, rings, is answered and ends with the bridge's BYE`, async (t) => {
    const { stack, kam } = await bridgeBehindKamailio(t, transport);
    const phone = await registeredPhone({ proxyPort: kam.port, user: "1001", answer: "auto", ringMs: 300, t });
    const call = stack.call(offerTo("1001"));
    const rec = record(call);
    t.is(call.state, "calling");
    t.is(call.target, "1001");
    t.is(call.callManagerId, "cm1");

    await until(() => call.state === "established", 5000, "the phone to answer");
    const invite = await phone.waitForInvite();
    t.is(invite.callId, call.callId);
    t.regex(headers(invite, "From")[0] ?? "", /^"Queue \\"VIP\\" Caller" <sip:5551234@127\.0\.0\.1>;tag=\S+$/);
    t.deepEqual(headers(invite, "P-Asserted-Identity"), ['"Queue \\"VIP\\" Caller" <sip:5551234@127.0.0.1>']);
    t.deepEqual(headers(invite, "X-CTI-Call-Id"), ["orig-call-42@10.0.0.9"]);
    t.deepEqual(headers(invite, "X-CTI-Data"), ["account=77;lang=en"]);
    t.deepEqual(headers(invite, "Allow"), [OUTGOING_CALL_ALLOW]);
    t.deepEqual(headers(invite, "Session-Expires"), []);
    t.deepEqual(headers(invite, "Min-SE"), []);
    t.false(headers(invite, "Supported").some((v) => /\btimer\b/i.test(v)), headers(invite, "Supported").join());
    t.deepEqual(headers(invite, "Contact"), [`<sip:ctibridge@127.0.0.1:${stack.port};transport=${transport}>`]);
    t.true(headers(invite, "Via").some((v) => v.startsWith(`SIP/2.0/${transport.toUpperCase()} 127.0.0.1:${stack.port};`)), headers(invite, "Via").join(" | "));
    t.is(lf(bodyOf(invite)), lf(LOCAL_SDP));
    // Kamailio saw the call manager Request-URI and the bridge's listening address as the source.
    t.regex(kam.readLog(), new RegExp(`REQ INVITE sip:1001@127\\.0\\.0\\.1:${kam.port};transport=${transport} from 127\\.0\\.0\\.1:\\d+/${transport}`));

    const phone200 = phone.parsedMessages().find((m) => m.direction === "sent" && m.status === 200 && m.cseqMethod === "INVITE");
    t.truthy(phone200);
    t.is(lf(call.remoteSdp ?? ""), bodyOf(phone200!));
    t.is(lf(rec.answeredSdp ?? ""), bodyOf(phone200!));

    await call.hangup();
    t.deepEqual(await rec.ended, { reason: "localBye", status: undefined });
    await phone.waitForMessage((m) => m.direction === "sent" && m.status === 200 && m.cseqMethod === "BYE", "the phone's 200 to BYE");
    t.is(received(phone, "BYE").length, 1);
    t.deepEqual(rec.events, ["ringing 180", "answered", "ended localBye"]);
    t.is(call.state, "ended");
    t.is(call.finalStatus, undefined);
    // The finished call is released at once, not held by its INVITE transaction for Timer M (32 s).
    await until(() => stack.inviteTransactions.client === 0, 1000, "SIP.js to release the INVITE transaction");
  });
}

test("the phone hangs up: its BYE is answered 200 and the call ends as remoteBye", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const phone = await registeredPhone({ proxyPort: kam.port, user: "1002", answer: "auto", hangupAfterMs: 300, t });
  const call = stack.call(offerTo("1002"));
  const rec = record(call);
  t.deepEqual(await rec.ended, { reason: "remoteBye", status: undefined });
  const ok = await phone.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "BYE", "200 to the phone's BYE");
  t.is(ok.callId, call.callId);
  t.deepEqual(rec.events, ["ringing 180", "answered", "ended remoteBye"]);
  await until(() => stack.inviteTransactions.client === 0, 1000, "SIP.js to release the INVITE transaction");
  await call.hangup(); // nothing left to do; resolves at once
  t.is(received(phone, "BYE").length, 0);
});

test("a busy phone: the call ends as rejected with 486", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  await registeredPhone({ proxyPort: kam.port, user: "1003", answer: "busy", t });
  const call = stack.call(offerTo("1003"));
  const rec = record(call);
  t.deepEqual(await rec.ended, { reason: "rejected", status: 486 });
  t.is(call.finalStatus, 486);
  t.is(call.state, "ended");
  t.deepEqual(rec.events, ["ended rejected 486"]);
});

test("an unregistered extension: Kamailio's 404 ends the call as rejected", async (t) => {
  const { stack } = await bridgeBehindKamailio(t);
  const rec = record(stack.call(offerTo("1999")));
  t.deepEqual(await rec.ended, { reason: "rejected", status: 404 });
});

test("hangup() while the phone rings sends CANCEL; the phone answers 487 and the call ends as cancelled; hangup() is idempotent", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const phone = await registeredPhone({ proxyPort: kam.port, user: "1004", answer: "none", t });
  const call = stack.call(offerTo("1004"));
  const rec = record(call);
  await until(() => call.state === "ringing", 5000, "ringing");
  const first = call.hangup();
  t.is(call.hangup(), first);
  await first;
  t.is(call.state, "ended");
  t.deepEqual(await rec.ended, { reason: "cancelled", status: 487 });
  t.is(received(phone, "CANCEL").length, 1);
  await phone.waitForMessage((m) => m.direction === "sent" && m.status === 487, "the phone's 487");
  t.deepEqual(rec.events, ["ringing 180", "ended cancelled 487"]);
  t.is(received(phone, "BYE").length, 0);
});

test("a 200 that crosses the CANCEL is ACKed and BYEd at once, and the call ends as cancelled without being answered", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const phone = await customPhone(t, kam, "1005", phoneAnswersAcrossCancel);
  const call = stack.call(offerTo("1005"));
  const rec = record(call);
  await until(() => call.state === "ringing", 5000, "ringing");
  await call.hangup();
  t.is((await rec.ended).reason, "cancelled");
  const bye = await phone.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "the bridge's BYE", 3000);
  t.is(bye.callId, call.callId);
  t.is(received(phone, "ACK").length, 1);
  await phone.waitForMessage((m) => m.direction === "sent" && m.status === 200 && m.cseqMethod === "BYE", "the phone's 200 to BYE");
  t.false(rec.events.includes("answered"), rec.events.join());
  t.is(call.state, "ended");
});

test("INFO DTMF from the phone is a dtmf event; its re-INVITE (hold) is answered with the same SDP at o= version + 1", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const phone = await customPhone(t, kam, "1006", phoneDtmfAndHold);
  const call = stack.call(offerTo("1006"));
  const rec = record(call);
  await phone.waitForMessage((m) => m.direction === "sent" && m.method === "ACK" && m.cseqMethod === "ACK" && /CSeq:\s*2 ACK/i.test(m.text), "the phone's ACK to the re-INVITE's 200");
  t.deepEqual(rec.events, ["ringing 180", "answered", "dtmf 7"]);
  t.regex(call.remoteSdp ?? "", /a=sendonly/);
  const reinviteOk = phone.parsedMessages().find((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE");
  t.truthy(reinviteOk);
  t.is(bodyOf(reinviteOk!), lf(LOCAL_SDP).replace("o=ctibridge 4242 1 ", "o=ctibridge 4242 2 "));
  t.deepEqual(headers(reinviteOk!, "Session-Expires"), []);
  await call.hangup();
  t.is((await rec.ended).reason, "localBye");
  await phone.waitForMessage((m) => m.direction === "sent" && m.status === 200 && m.cseqMethod === "BYE", "the phone's 200 to BYE");
  t.is(received(phone, "BYE").length, 1);
});

test("a 183 with SDP rings and already carries the answer; the 200 confirms it", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const phone = await customPhone(t, kam, "1010", phoneEarlyMedia);
  const call = stack.call(offerTo("1010"));
  const rec = record(call);
  let sdpWhenRinging: string | undefined;
  call.on("ringing", () => (sdpWhenRinging = call.remoteSdp));
  await until(() => call.state === "established", 5000, "the 200");
  const early = phone.parsedMessages().find((m) => m.direction === "sent" && m.status === 183);
  t.truthy(early);
  t.is(lf(sdpWhenRinging ?? ""), bodyOf(early!));
  t.is(lf(rec.answeredSdp ?? ""), bodyOf(early!));
  await call.hangup();
  t.deepEqual(rec.events, ["ringing 183", "answered", "ended localBye"]);
});

test("hangup() right after call() ends the call as cancelled before any INVITE leaves", async (t) => {
  const silent = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  t.teardown(() => silent.close());
  const seen: string[] = [];
  silent.on("message", (m) => seen.push(m.toString("latin1").split(" ", 1)[0]!));
  const { stack } = await startStack({ callManagers: [callManager({ port: silent.address().port })] });
  t.teardown(() => stack.stop());
  const call = stack.call(offerTo("1011"));
  const rec = record(call);
  await call.hangup();
  t.deepEqual(await rec.ended, { reason: "cancelled", status: undefined });
  await new Promise((r) => setTimeout(r, 300));
  t.false(seen.includes("INVITE"), seen.join());
  t.false(seen.includes("CANCEL"), seen.join());
});

test("stop() BYEs an established outgoing call and CANCELs a ringing one", async (t) => {
  const { stack, kam } = await bridgeBehindKamailio(t);
  const answering = await registeredPhone({ proxyPort: kam.port, user: "1007", answer: "auto", t });
  const ringing = await registeredPhone({ proxyPort: kam.port, user: "1008", answer: "none", t });
  const talking = record(stack.call(offerTo("1007")));
  await until(() => talking.events.includes("answered"), 5000, "1007 to answer");
  const waiting = stack.call(offerTo("1008"));
  const ringingRec = record(waiting);
  await until(() => waiting.state === "ringing", 5000, "1008 to ring");
  await stack.stop();
  t.deepEqual((await talking.ended).reason, "localBye");
  t.deepEqual(await ringingRec.ended, { reason: "cancelled", status: 487 });
  await answering.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE at 1007");
  await ringing.waitForMessage((m) => m.direction === "sent" && m.status === 487, "487 from 1008");
  t.is(received(answering, "BYE").length, 1);
  t.is(received(ringing, "CANCEL").length, 1);
  t.throws(() => stack.call(offerTo("1007")), { code: "CTI_ERR_SIP_TRANSPORT" });
});

test("an INVITE nobody answers is retransmitted (Timer A) and ends as failed with 408 when Timer B fires", async (t) => {
  const silent = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  t.teardown(() => silent.close());
  let invites = 0;
  silent.on("message", (m) => {
    if (m.toString("latin1").startsWith("INVITE ")) invites++;
  });
  const { stack } = await startStack({ callManagers: [callManager({ port: silent.address().port })] });
  t.teardown(() => stack.stop());
  const started = Date.now();
  const rec = record(stack.call(offerTo("1009")));
  t.deepEqual(await rec.ended, { reason: "failed", status: 408 });
  const elapsed = Date.now() - started;
  t.true(elapsed >= 31_000 && elapsed < 36_000, `ended after ${elapsed} ms`);
  t.true(invites >= 6, `${invites} INVITEs`); // 0, 0.5, 1.5, 3.5, 7.5, 15.5 (31.5) s
  t.deepEqual(rec.events, ["ended failed 408"]);
});

test("call() refuses an unknown call manager and requests that would make a broken INVITE", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  t.throws(() => stack.call(offerTo("1001", { callManagerId: "nope" })), { code: "CTI_ERR_CALL_MANAGER_UNKNOWN" });
  t.throws(() => stack.call(offerTo("10 01")), { code: "CTI_ERR_BAD_REQUEST" });
  t.throws(() => stack.call(offerTo("1001", { from: { number: "<sip:x>" } })), { code: "CTI_ERR_BAD_REQUEST" });
  t.throws(() => stack.call(offerTo("1001", { headers: { "X-Evil": "a\r\nVia: x" } })), { code: "CTI_ERR_BAD_REQUEST" });
  t.throws(() => stack.call(offerTo("1001", { headers: { "Session-Expires": "1800" } })), { code: "CTI_ERR_BAD_REQUEST" });
  t.throws(() => stack.call(offerTo("1001", { headers: { "Bad Name": "1" } })), { code: "CTI_ERR_BAD_REQUEST" });
});
