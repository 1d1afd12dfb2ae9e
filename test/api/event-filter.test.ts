import test from "ava";
import { eventMatches, parseEventFilter, STREAMED_EVENTS } from "../../cti/api/event-filter.js";
import { isCtiError, Errors } from "../../cti/errors.js";

test("no events parameter means every streamed event; * and prefixes expand", (t) => {
  t.deepEqual([...parseEventFilter({}).events], [...STREAMED_EVENTS]);
  t.deepEqual([...parseEventFilter({ events: "*" }).events], [...STREAMED_EVENTS]);
  t.deepEqual([...parseEventFilter({ events: "agent.*" }).events], ["agent.logon", "agent.logoff", "agent.stateChanged"]);
  t.deepEqual([...parseEventFilter({ events: "callManager.*, call.queued" }).events], ["callManager.linkUp", "callManager.linkDown", "callManager.failover", "call.queued"]);
  // Calls agents make (MakeCall) are streamed too, and "call.*" includes them.
  const agentCalls = ["call.initiated", "call.originated", "call.connected", "call.ended"];
  t.deepEqual([...parseEventFilter({ events: agentCalls.join(",") }).events], agentCalls);
  t.true(agentCalls.every((e) => parseEventFilter({ events: "call.*" }).events.has(e as never)));
  // Personal call routing's dispatch queue (cti/calls/personal-routing/).
  t.deepEqual([...parseEventFilter({ events: "dispatch.*" }).events], ["dispatch.queued", "dispatch.picked", "dispatch.deflected"]);
});

test("names that are not streamed are refused with the list of those that are", (t) => {
  for (const events of ["agent.logonFailed", "agent.lockedOut", "snmp.*", "call.Queued", ""]) {
    const error = t.throws(() => parseEventFilter({ events }));
    t.true(isCtiError(error, Errors.BAD_REQUEST), events);
  }
  t.regex(t.throws(() => parseEventFilter({ events: "agent.lockedOut" }))!.message, /streamed: call\.queued/);
});

test("field filters need the field to be present and one of the values", (t) => {
  const f = parseEventFilter({ events: "call.*,agent.*", serviceGroup: "sales,support", logonId: "1001" });
  t.true(eventMatches(f, "call.delivered", { serviceGroup: "support", logonId: "1001" }));
  t.false(eventMatches(f, "call.delivered", { serviceGroup: "billing", logonId: "1001" }));
  t.false(eventMatches(f, "call.queued", { serviceGroup: "sales" }), "no logonId");
  t.false(eventMatches(f, "agent.logon", { logonId: "1001" }), "no serviceGroup");
  t.false(eventMatches(f, "callManager.linkUp", { serviceGroup: "sales", logonId: "1001" }), "not a wanted event");
});
