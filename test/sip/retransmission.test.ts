import test from "ava";
import { ackFor, invite, RawUdpPeer, responseTo } from "./raw-udp-peer.js";
import { callManager, startStack, until } from "./stack-fixture.js";

const TO_TAG = /^To:.*;tag=([^;\s]+)/im;

test("an INVITE retransmission is absorbed (one call, the last response resent) and a 486 is retransmitted until ACK (Timer G)", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  let offered = 0;
  stack.delegate.onIncomingCall = (call) => {
    offered++;
    setTimeout(() => void call.reject(486, "Busy Here"), 100);
  };
  const peer = await RawUdpPeer.open();
  t.teardown(() => peer.close());
  const ids = { port: peer.port, callId: "retx-1@test", branch: "z9hG4bKretx1" };
  await peer.send(invite(ids), stack.port);
  await until(() => peer.received.some((m) => m.startsWith("SIP/2.0 100")), 2000, "100 Trying");
  await peer.send(invite(ids), stack.port); // the caller did not see the 100
  await until(() => peer.received.filter((m) => m.startsWith("SIP/2.0 100")).length === 2, 2000, "the 100 resent");
  // Ignore the first 486: the bridge must send it again after T1.
  await until(() => peer.received.filter((m) => m.startsWith("SIP/2.0 486")).length >= 2, 3000, "a retransmitted 486");
  const busy = peer.received.find((m) => m.startsWith("SIP/2.0 486"))!;
  await peer.send(ackFor({ ...ids, toTag: TO_TAG.exec(busy)![1]! }), stack.port);
  const afterAck = peer.received.filter((m) => m.startsWith("SIP/2.0 486")).length;
  await new Promise((r) => setTimeout(r, 2500)); // Timer G would have fired at least once more by now
  t.is(peer.received.filter((m) => m.startsWith("SIP/2.0 486")).length, afterAck, "no 486 after the ACK");
  t.is(offered, 1, "the retransmitted INVITE did not become a second call");
  t.true(stack.stats.retransmissions >= 2);
});

test("an OPTIONS the call manager does not answer is retransmitted (Timer E) and the answer to the retransmission brings the link up", async (t) => {
  const cm = await RawUdpPeer.open();
  t.teardown(() => cm.close());
  const branches: string[] = [];
  cm.onMessage = (text) => {
    if (!text.startsWith("OPTIONS ")) return;
    branches.push(/branch=([^;\s]+)/.exec(text)![1]!);
    // Drop the first transmission; answer the second (the retransmission) with 404, which Asterisk counts as alive.
    if (branches.length === 2) void cm.send(responseTo(text, "404 Not Found"), cm.lastSource!.port);
  };
  const { stack, linkEvents } = await startStack({ callManagers: [callManager({ port: cm.port, keepalive: { interval: 60_000, timeout: 3000 } })] });
  t.teardown(() => stack.stop());
  await until(() => linkEvents.length > 0, 5000, "a link event");
  t.is(linkEvents[0]!.kind, "up");
  t.regex(linkEvents[0]!.event.reason, /404/);
  t.is(stack.linkState("cm1"), "up");
  t.is(branches[0], branches[1], "the second OPTIONS is a retransmission of the first");
  t.true(stack.stats.retransmissions >= 1);
  const seen = branches.length;
  await new Promise((r) => setTimeout(r, 1200));
  t.is(branches.length, seen, "retransmission stops once answered");
});
