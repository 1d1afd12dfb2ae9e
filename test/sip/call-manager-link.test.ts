import test from "ava";
import { uasAnswerOptions } from "./scenarios.js";
import { freeUdpPort, runSipp } from "./sipp-runner.js";
import { callManager, startStack, until } from "./stack-fixture.js";

test("the link goes up against a live SIPp answering OPTIONS and down when it stops, with one bus event each", async (t) => {
  const port = await freeUdpPort();
  const sipp = runSipp({ scenario: uasAnswerOptions, localPort: port, calls: 100000 });
  t.teardown(() => sipp.stop());
  await new Promise((r) => setTimeout(r, 300));
  const { stack, linkEvents } = await startStack({ callManagers: [callManager({ port, keepalive: { interval: 300, timeout: 400 } })] });
  t.teardown(() => stack.stop());
  t.throws(() => stack.linkState("nope"), { message: /No such call manager/ });
  await until(() => linkEvents.length === 1, 3000, "linkUp");
  t.is(linkEvents[0]!.kind, "up");
  t.like(linkEvents[0]!.event, { callManagerId: "cm1", name: "Test call manager", site: "main", host: "127.0.0.1", port, transport: "udp" });
  t.is(stack.linkState("cm1"), "up");
  await new Promise((r) => setTimeout(r, 1000));
  t.is(linkEvents.length, 1, "up→up is not re-published");
  await sipp.stop();
  await until(() => linkEvents.length === 2, 3000, "linkDown");
  t.is(linkEvents[1]!.kind, "down");
  t.regex(linkEvents[1]!.event.reason, /no answer/);
  t.is(stack.linkState("cm1"), "down");
  await new Promise((r) => setTimeout(r, 1200));
  t.is(linkEvents.length, 2, "down→down is not re-published");
});

test("a call manager that never answers is reported down from unknown", async (t) => {
  const port = await freeUdpPort();
  const { stack, linkEvents } = await startStack({ callManagers: [callManager({ port, keepalive: { interval: 300, timeout: 300 } })] });
  t.teardown(() => stack.stop());
  t.is(stack.linkState("cm1"), "unknown");
  await until(() => linkEvents.length === 1, 3000, "linkDown");
  t.is(linkEvents[0]!.kind, "down");
  t.is(stack.linkState("cm1"), "down");
});
