import test from "ava";
import { optionsForbidden, optionsUserless } from "./scenarios.js";
import { invite, RawUdpPeer } from "./raw-udp-peer.js";
import { runSipp } from "./sipp-runner.js";
import { startStack, until } from "./stack-fixture.js";

test("a user-less OPTIONS (Asterisk's qualify) is answered 200 with an Allow header", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  const sipp = runSipp({ scenario: optionsUserless, remote: `127.0.0.1:${stack.port}` });
  t.teardown(() => sipp.stop());
  const result = await sipp.done;
  t.is(result.code, 0, result.stderr + result.stdout.slice(-2000));
});

test("a request from an address that is neither a call manager nor trusted gets 403 and is counted", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  const sipp = runSipp({ scenario: optionsForbidden, remote: `127.0.0.1:${stack.port}`, localAddress: "127.0.0.2" });
  t.teardown(() => sipp.stop());
  const result = await sipp.done;
  t.is(result.code, 0, result.stderr + result.stdout.slice(-2000));
  t.is(stack.stats.forbidden, 1);
});

test("a trusted peer address is allowed", async (t) => {
  const { stack } = await startStack({ trustedPeers: ["127.0.0.2"] });
  t.teardown(() => stack.stop());
  const sipp = runSipp({ scenario: optionsUserless, remote: `127.0.0.1:${stack.port}`, localAddress: "127.0.0.2" });
  t.teardown(() => sipp.stop());
  const result = await sipp.done;
  t.is(result.code, 0, result.stderr + result.stdout.slice(-2000));
  t.is(stack.stats.forbidden, 0);
});

test("a malformed request gets 400, garbage is dropped and counted, and the stack keeps serving", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  const peer = await RawUdpPeer.open();
  t.teardown(() => peer.close());
  // No Call-ID: answerable (Via present) but not processable.
  await peer.send(invite({ port: peer.port, callId: "x", branch: "z9hG4bKbad1", omit: ["Call-ID"] }), stack.port);
  await until(() => peer.received.length > 0, 2000, "a response to the malformed INVITE");
  t.regex(peer.received[0]!, /^SIP\/2\.0 400 /);
  t.regex(peer.received[0]!, /Via: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bKbad1;rport=\d+;received=127\.0\.0\.1/);
  // A From the grammar cannot parse (scan accepts it): still 400 from the parser path.
  await peer.send(
    invite({ port: peer.port, callId: "y", branch: "z9hG4bKbad2" }).replace(/From: [^\r]*/, "From: <<<not a uri"),
    stack.port,
  );
  await until(() => peer.received.length > 1, 2000, "a response to the unparseable From");
  t.regex(peer.received[1]!, /^SIP\/2\.0 400 /);
  await peer.send("\x00\x01 this is not SIP at all\r\n\r\n", stack.port);
  await peer.send("SIP/2.0 banana\r\n\r\n", stack.port);
  const sipp = runSipp({ scenario: optionsUserless, remote: `127.0.0.1:${stack.port}` });
  t.teardown(() => sipp.stop());
  const result = await sipp.done;
  t.is(result.code, 0, "the stack still answers after the bad input");
  t.is(stack.stats.malformed, 4);
  t.is(peer.received.length, 2, "garbage gets no answer");
});
