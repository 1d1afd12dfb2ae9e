import test from "ava";
import type { CallEndReason, IncomingCall } from "../../cti/sip/index.js";
import { uacCall, uacCallAwaitingBye } from "./scenarios.js";
import { runSipp } from "./sipp-runner.js";
import { LOCAL_SDP, startStack, until } from "./stack-fixture.js";

for (const transport of ["udp", "tcp"] as const) {
  test(`an INVITE to 2000 over ${transport} reaches onIncomingCall with its fields, is answered and ends with the caller's BYE`, async (t) => {
    const { stack } = await startStack();
    t.teardown(() => stack.stop());
    const calls: IncomingCall[] = [];
    const digits: string[] = [];
    const ended: CallEndReason[] = [];
    stack.delegate.onIncomingCall = (call) => {
      calls.push(call);
      call.on("dtmf", (d) => digits.push(d));
      call.on("ended", (r) => ended.push(r));
      void call.accept(LOCAL_SDP);
    };
    const sipp = runSipp({ scenario: uacCall, remote: `127.0.0.1:${stack.port}`, service: "2000", transport });
    t.teardown(() => sipp.stop());
    const result = await sipp.done;
    t.is(result.code, 0, result.stderr + result.stdout.slice(-2000));
    await until(() => ended.length === 1, 3000, "the call to end");
    // The finished call is released at once, not held by its INVITE transaction for Timer L (32 s).
    await until(() => stack.inviteTransactions.server === 0, 1000, "SIP.js to release the INVITE transaction");
    t.is(calls.length, 1);
    const call = calls[0]!;
    t.is(call.dialedNumber, "2000");
    t.is(call.callerNumber, "1001");
    t.is(call.callerName, "Alice Caller");
    t.is(call.callManagerId, "cm1");
    t.is(call.source.address, "127.0.0.1");
    t.is(call.source.transport, transport);
    t.is(call.header("X-Test"), "hello");
    t.regex(call.remoteSdp ?? "", /m=audio \d+ RTP\/AVP 0 101/);
    t.deepEqual(digits, ["5"]);
    t.deepEqual(ended, ["remoteBye"]);
    t.is(call.state, "ended");
  });
}

test("a call nobody takes is rejected with 480 and the caller's scenario sees a failure, not a hang", async (t) => {
  const { stack } = await startStack();
  t.teardown(() => stack.stop());
  const sipp = runSipp({ scenario: uacCall, remote: `127.0.0.1:${stack.port}`, service: "2000" });
  t.teardown(() => sipp.stop());
  const result = await sipp.done;
  t.not(result.code, 0);
  t.regex(result.stdout + result.stderr, /480/);
});

test("stop() sends BYE on an established call, is idempotent, and the call ends as localBye", async (t) => {
  const { stack } = await startStack();
  const ended: CallEndReason[] = [];
  let established: IncomingCall | undefined;
  stack.delegate.onIncomingCall = (call) => {
    call.on("ended", (r) => ended.push(r));
    void call.accept(LOCAL_SDP).then(() => (established = call));
  };
  const sipp = runSipp({ scenario: uacCallAwaitingBye, remote: `127.0.0.1:${stack.port}`, service: "3000" });
  t.teardown(() => sipp.stop());
  await until(() => established?.state === "established", 5000, "the call to be established");
  await Promise.all([stack.stop(), stack.stop()]);
  await stack.stop();
  const result = await sipp.done;
  t.is(result.code, 0, result.stderr + result.stdout.slice(-2000));
  t.deepEqual(ended, ["localBye"]);
  await t.throwsAsync(() => stack.start(), { message: /stopped/ });
});
