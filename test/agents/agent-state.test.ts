import test from "ava";
import { AgentRegistry } from "../../cti/agents/agent-registry.js";
import { canTransition } from "../../cti/agents/agent-state.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { isCtiError, Errors } from "../../cti/errors.js";

test("legal and illegal agent state moves", (t) => {
  t.true(canTransition("loggedOff", "idleReady"));
  t.true(canTransition("idleReady", "idleNotReady"));
  t.true(canTransition("talking", "callWaiting"));
  t.false(canTransition("loggedOff", "talking"));
  t.false(canTransition("idleNotReady", "talking"));
  t.false(canTransition("clerical", "talking"));
});

test("the registry indexes agents by logon ID and extension and publishes every change", (t) => {
  const bus = new EventBus();
  const changes: string[] = [];
  bus.on("agent.stateChanged", (e) => changes.push(`${e.logonId}:${e.from}->${e.to}`));
  const registry = new AgentRegistry(bus);
  registry.add({ userId: 1, logonId: "1001", extension: "3001", callManagerId: "cm" }, "idleReady");
  t.is(registry.atExtension("cm", "3001")?.logonId, "1001");
  t.is(registry.atExtension("other", "3001"), undefined);
  registry.transition("1001", "idleNotReady", "lunch");
  t.is(registry.get("1001")?.notReadyReason, "lunch");
  const error = t.throws(() => registry.transition("1001", "talking"));
  t.true(isCtiError(error, Errors.AGENT_STATE));
  registry.transition("1001", "loggedOff");
  t.is(registry.size, 0);
  t.is(registry.atExtension("cm", "3001"), undefined);
  t.deepEqual(changes, ["1001:loggedOff->idleReady", "1001:idleReady->idleNotReady", "1001:idleNotReady->loggedOff"]);
  t.deepEqual(registry.countByState().idleReady, 0);
});
