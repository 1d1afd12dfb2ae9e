// The attendant destination gates on their own: which transfer to a number may be placed when, under "Do not
// Transfer to Busy Destination" and "Force Transfer Order" (the SIP side is in test/integration/attendant-transfers).
import test from "ava";
import { DestinationGates } from "../../../cti/calls/agent-transfer/destination-gates.js";

const settings = (o: { busy?: boolean; order?: boolean; delay?: number } = {}) => ({
  doNotTransferToBusy: o.busy ?? false,
  forceTransferOrder: o.order ?? false,
  pendingAgentTransferDelay: o.delay ?? 30_000,
});

test("with neither setting every transfer proceeds at once, busy or not", (t) => {
  const gates = new DestinationGates({ settings: settings(), agentBusyAt: () => true });
  const went: string[] = [];
  gates.request("100", "c1", () => went.push("c1"));
  gates.placed("100", "c1");
  gates.request("100", "c2", () => went.push("c2"));
  t.deepEqual(went, ["c1", "c2"]);
  t.true(gates.busy("100"));
});

test("do not transfer to busy destination: a transfer waits while the bridge has a call at the number, or the agent there is on a call, first come first served", (t) => {
  let agentBusy = false;
  const gates = new DestinationGates({ settings: settings({ busy: true }), agentBusyAt: (n) => n === "100" && agentBusy });
  const went: string[] = [];
  gates.request("100", "c1", () => went.push("c1"));
  gates.placed("100", "c1");
  gates.request("100", "c2", () => went.push("c2"));
  gates.request("100", "c3", () => went.push("c3"));
  gates.request("200", "c4", () => went.push("c4"));
  t.deepEqual(went, ["c1", "c4"]);
  gates.answered("100", "c1");
  t.deepEqual(went, ["c1", "c4"], "answered is not idle: the conversation goes on");
  agentBusy = true;
  gates.ended("100", "c1");
  t.deepEqual(went, ["c1", "c4"], "the agent logged on at 100 is on a call");
  agentBusy = false;
  gates.pump();
  t.deepEqual(went, ["c1", "c4", "c2"], "one at a time: c2 goes");
  gates.placed("100", "c2");
  gates.ended("100", "c2");
  t.deepEqual(went, ["c1", "c4", "c2", "c3"]);
});

test("a waiting transfer that gives up leaves the queue; the next one is not held up by it", (t) => {
  const gates = new DestinationGates({ settings: settings({ busy: true }), agentBusyAt: () => false });
  const went: string[] = [];
  gates.request("100", "c1", () => went.push("c1"));
  gates.placed("100", "c1");
  const cancel = gates.request("100", "c2", () => went.push("c2"));
  gates.request("100", "c3", () => went.push("c3"));
  cancel();
  t.is(gates.waiting("100"), 1);
  gates.ended("100", "c1");
  t.deepEqual(went, ["c1", "c3"]);
});

test("force transfer order: a transfer holds the number until answered; after a recall the call keeps its turn for pendingAgentTransferDelay, and may take it again", async (t) => {
  const gates = new DestinationGates({ settings: settings({ order: true, delay: 200 }), agentBusyAt: () => false });
  const went: string[] = [];
  gates.request("100", "c1", () => went.push("c1"));
  gates.placed("100", "c1");
  gates.request("100", "c2", () => went.push("c2"));
  t.deepEqual(went, ["c1"], "c1 rings at 100: c2 waits");
  gates.ended("100", "c1"); // no answer
  gates.recalled("100", "c1");
  t.deepEqual(went, ["c1"], "c1 recalled: its turn is kept");
  gates.request("100", "c1", () => went.push("c1 again"));
  t.deepEqual(went, ["c1", "c1 again"], "the recalled call transferred there again goes first");
  gates.placed("100", "c1");
  gates.answered("100", "c1");
  t.deepEqual(went, ["c1", "c1 again", "c2"], "answered: the next transfer is placed (busy does not matter here)");

  gates.placed("100", "c2");
  gates.ended("100", "c2");
  gates.recalled("100", "c2");
  gates.request("100", "c3", () => went.push("c3"));
  t.is(went.at(-1), "c2");
  await new Promise((r) => setTimeout(r, 120));
  t.is(went.at(-1), "c2", "still within the delay");
  await new Promise((r) => setTimeout(r, 150));
  t.is(went.at(-1), "c3", "after pendingAgentTransferDelay the next one goes");
  gates.close();
});

test("force transfer order: a caller hanging up while the number rings lets the next transfer go at once", (t) => {
  const gates = new DestinationGates({ settings: settings({ order: true }), agentBusyAt: () => false });
  const went: string[] = [];
  gates.request("100", "c1", () => went.push("c1"));
  gates.placed("100", "c1");
  gates.request("100", "c2", () => went.push("c2"));
  gates.abandoned("100", "c1");
  t.deepEqual(went, ["c1", "c2"]);
  gates.close();
});
