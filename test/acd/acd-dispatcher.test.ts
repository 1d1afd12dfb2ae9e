import test from "ava";
import { AcdDispatcher } from "../../cti/acd/acd-dispatcher.js";
import type { ServiceGroupDefinition } from "../../cti/acd/service-group.js";
import { Errors, isCtiError } from "../../cti/errors.js";

const group = (id: string, more: Partial<ServiceGroupDefinition> = {}): ServiceGroupDefinition => ({ id, openWhen: "loggedOn", ...more });

/** Logs on and makes ready, in this order, agents serving `groups` at level 1. */
function readyAgents(acd: AcdDispatcher, ids: string[], groups: string[], at = 1000): void {
  for (const [i, logonId] of ids.entries()) {
    acd.agentLoggedOn({ logonId, groups: groups.map((groupId) => ({ groupId })) });
    acd.agentAvailable(logonId, at + i);
  }
}

test("a new call goes to the agent idle longest", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  readyAgents(acd, ["a", "b", "c"], ["sales"]);
  t.deepEqual(acd.enqueue({ callId: "c1", groupId: "sales", arrivedAt: 5000 }), { callId: "c1", groupId: "sales", logonId: "a" });
  t.is(acd.enqueue({ callId: "c2", groupId: "sales", arrivedAt: 5001 })?.logonId, "b");
  // a answers, talks and becomes ready again: now it is idle the shortest
  acd.remove("c1");
  acd.agentUnavailable("a", "talking");
  t.is(acd.agentAvailable("a", 6000), undefined);
  t.is(acd.enqueue({ callId: "c3", groupId: "sales", arrivedAt: 6001 })?.logonId, "c");
  t.is(acd.enqueue({ callId: "c4", groupId: "sales", arrivedAt: 6002 })?.logonId, "a");
  t.is(acd.enqueue({ callId: "c5", groupId: "sales", arrivedAt: 6003 }), undefined);
  t.is(acd.waiting("sales"), 1);
});

test("a higher skill level beats a longer idle time", (t) => {
  const acd = new AcdDispatcher([group("support")]);
  acd.agentLoggedOn({ logonId: "junior", groups: [{ groupId: "support", level: 2 }] });
  acd.agentLoggedOn({ logonId: "senior", groups: [{ groupId: "support", level: 8 }] });
  acd.agentLoggedOn({ logonId: "default", groups: [{ groupId: "support" }] });
  acd.agentAvailable("default", 100);
  acd.agentAvailable("junior", 200);
  acd.agentAvailable("senior", 900);
  t.is(acd.enqueue({ callId: "c1", groupId: "support", arrivedAt: 1000 })?.logonId, "senior");
  t.is(acd.enqueue({ callId: "c2", groupId: "support", arrivedAt: 1001 })?.logonId, "junior");
  t.is(acd.enqueue({ callId: "c3", groupId: "support", arrivedAt: 1002 })?.logonId, "default");
});

test("an agent serving two groups takes the call that has waited longest across both (fairness)", (t) => {
  const acd = new AcdDispatcher([group("A"), group("B")]);
  acd.agentLoggedOn({ logonId: "x", groups: [{ groupId: "A" }, { groupId: "B" }] });
  // B's call arrived first, but A is the agent's first group and A's call was queued more recently
  t.is(acd.enqueue({ callId: "b-old", groupId: "B", arrivedAt: 1000 }), undefined);
  t.is(acd.enqueue({ callId: "a-new", groupId: "A", arrivedAt: 2000 }), undefined);
  t.is(acd.enqueue({ callId: "b-newer", groupId: "B", arrivedAt: 3000 }), undefined);
  t.deepEqual(acd.agentAvailable("x", 4000), { callId: "b-old", groupId: "B", logonId: "x" });
  acd.remove("b-old");
  acd.agentUnavailable("x", "talking");
  t.is(acd.agentAvailable("x", 5000)?.callId, "a-new");
  acd.remove("a-new");
  acd.agentUnavailable("x", "clerical");
  t.is(acd.agentAvailable("x", 6000)?.callId, "b-newer");
});

test("priority comes before waiting time, inside a group and across groups", (t) => {
  const acd = new AcdDispatcher([group("A"), group("B")]);
  acd.agentLoggedOn({ logonId: "x", groups: [{ groupId: "A" }, { groupId: "B" }] });
  acd.enqueue({ callId: "a0", groupId: "A", arrivedAt: 100 });
  acd.enqueue({ callId: "a2", groupId: "A", priority: 2, arrivedAt: 300 });
  acd.enqueue({ callId: "a1", groupId: "A", priority: 1, arrivedAt: 200 });
  acd.enqueue({ callId: "b3", groupId: "B", priority: 3, arrivedAt: 900 });
  t.deepEqual(acd.waitingCalls("A").map((c) => c.callId), ["a2", "a1", "a0"]);
  const served: string[] = [];
  for (let at = 1000; ; at += 10) {
    const offer = acd.agentAvailable("x", at);
    if (!offer) break;
    served.push(offer.callId);
    acd.remove(offer.callId);
    acd.agentUnavailable("x", "talking");
  }
  t.deepEqual(served, ["b3", "a2", "a1", "a0"]);
  t.is(acd.agent("x")?.state, "idleReady");
});

test("a requeued call keeps its original place, ahead of calls that arrived after it", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  acd.agentLoggedOn({ logonId: "a", groups: [{ groupId: "sales" }] });
  acd.agentLoggedOn({ logonId: "b", groups: [{ groupId: "sales" }] });
  acd.enqueue({ callId: "c1", groupId: "sales", arrivedAt: 100 });
  acd.enqueue({ callId: "c2", groupId: "sales", arrivedAt: 200 });
  t.is(acd.agentAvailable("a", 300)?.callId, "c1");
  t.is(acd.position("c1"), undefined); // offered, not waiting
  t.is(acd.position("c2"), 1);
  acd.enqueue({ callId: "c3", groupId: "sales", arrivedAt: 400 });
  // a does not answer: the call goes back first, then a is made not ready (ring time supervision)
  t.is(acd.requeue("c1"), undefined);
  acd.agentUnavailable("a");
  t.deepEqual(acd.waitingCalls("sales").map((c) => c.callId), ["c1", "c2", "c3"]);
  t.is(acd.position("c1"), 1);
  t.is(acd.position("c3"), 3);
  t.is(acd.agentAvailable("b", 500)?.callId, "c1");
  // b declines while c is ready: the call goes straight to c, never back to b
  acd.agentLoggedOn({ logonId: "c", groups: [{ groupId: "sales" }] });
  acd.remove("c2");
  acd.remove("c3");
  t.is(acd.agentAvailable("c", 600), undefined);
  t.deepEqual(acd.requeue("c1"), { callId: "c1", groupId: "sales", logonId: "c" });
  t.is(acd.call("c1")?.offeredTo, "c");
  t.is(acd.call("c1")?.seq, 1);
});

test("an offer takes agent and call out of circulation until the lead reports how it ended", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  readyAgents(acd, ["a"], ["sales"]);
  t.is(acd.enqueue({ callId: "c1", groupId: "sales", arrivedAt: 1 })?.logonId, "a");
  t.is(acd.agent("a")?.state, "reserved");
  t.is(acd.agent("a")?.offeredCallId, "c1");
  t.is(acd.readyAgents, 0);
  t.is(acd.enqueue({ callId: "c2", groupId: "sales", arrivedAt: 2 }), undefined);
  const error = t.throws(() => acd.agentAvailable("a", 3));
  t.true(isCtiError(error, Errors.AGENT_STATE));
  t.is(acd.agent("a")?.state, "reserved");
  t.true(acd.remove("c1")); // answered
  t.is(acd.agent("a")?.offeredCallId, undefined);
  t.is(acd.call("c1"), undefined);
  t.false(acd.remove("c1"));
  t.is(acd.agentAvailable("a", 4)?.callId, "c2");
});

test("open when a member is logged on, or when a member is in ready mode", (t) => {
  const acd = new AcdDispatcher([group("any", { openWhen: "loggedOn" }), group("ready", { openWhen: "ready" }), group("other")]);
  t.false(acd.isOpen("any"));
  t.false(acd.isOpen("ready"));
  acd.agentLoggedOn({ logonId: "a", groups: [{ groupId: "any" }, { groupId: "ready" }] });
  t.true(acd.isOpen("any"));
  t.false(acd.isOpen("ready"), "logged on but not ready");
  t.false(acd.isOpen("other"));
  acd.agentAvailable("a", 1);
  t.true(acd.isOpen("ready"));
  t.is(acd.enqueue({ callId: "c1", groupId: "ready", arrivedAt: 2 })?.logonId, "a");
  t.true(acd.isOpen("ready"), "reserved with a call still counts as ready");
  acd.remove("c1");
  acd.agentUnavailable("a", "talking");
  t.true(acd.isOpen("ready"));
  t.deepEqual(acd.agentCounts("ready"), {
    idleReady: 0, idleNotReady: 0, reserved: 0, talking: 1, callWaiting: 0, callback: 0, clerical: 0, loggedOn: 1, serving: 1,
  });
  acd.agentUnavailable("a", "idleNotReady");
  t.false(acd.isOpen("ready"));
  t.true(acd.isOpen("any"));
  t.is(acd.agentsServing("ready"), 0);
  t.true(acd.agentLoggedOff("a"));
  t.false(acd.agentLoggedOff("a"));
  t.false(acd.isOpen("any"));
  t.is(acd.agentCounts("any").loggedOn, 0);
});

test("position and longest wait follow the queue, the oldest call not always being first", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  t.is(acd.longestWaitMs("sales", 10_000), 0);
  acd.enqueue({ callId: "old", groupId: "sales", arrivedAt: 1000 });
  acd.enqueue({ callId: "newer", groupId: "sales", arrivedAt: 4000 });
  acd.enqueue({ callId: "vip", groupId: "sales", priority: 1, arrivedAt: 7000 });
  t.is(acd.position("vip"), 1);
  t.is(acd.position("old"), 2);
  t.is(acd.position("newer"), 3);
  t.is(acd.position("nope"), undefined);
  t.is(acd.longestWaitMs("sales", 10_000), 9000);
  acd.remove("old");
  t.is(acd.position("newer"), 2);
  t.is(acd.longestWaitMs("sales", 10_000), 6000);
  t.deepEqual(acd.snapshot(10_000), [
    {
      groupId: "sales", open: false, waiting: 2, longestWaitMs: 6000,
      agents: { idleReady: 0, idleNotReady: 0, reserved: 0, talking: 0, callWaiting: 0, callback: 0, clerical: 0, loggedOn: 0, serving: 0 },
    },
  ]);
});

test("a \"*\" group is served by every agent, without a per-agent entry, at its level unless an agent names a higher one", (t) => {
  const acd = new AcdDispatcher([
    group("everyone", { members: "*", everyAgentLevel: 3 }),
    group("named"),
  ]);
  acd.agentLoggedOn({ logonId: "a", groups: [] });
  acd.agentLoggedOn({ logonId: "b", groups: [{ groupId: "named" }] });
  acd.agentLoggedOn({ logonId: "expert", groups: [{ groupId: "everyone", level: 9 }] });
  acd.agentLoggedOn({ logonId: "low", groups: [{ groupId: "everyone", level: 1 }] }); // cannot go below the "*" level
  t.true(acd.isOpen("everyone"));
  t.is(acd.agentCounts("everyone").loggedOn, 4);
  t.is(acd.agentCounts("named").loggedOn, 1);
  acd.agentAvailable("low", 10);
  acd.agentAvailable("a", 20);
  acd.agentAvailable("b", 30);
  acd.agentAvailable("expert", 40);
  t.is(acd.enqueue({ callId: "c1", groupId: "everyone", arrivedAt: 50 })?.logonId, "expert");
  t.is(acd.enqueue({ callId: "c2", groupId: "everyone", arrivedAt: 51 })?.logonId, "low", "then longest idle at the \"*\" level");
  t.is(acd.enqueue({ callId: "c3", groupId: "named", arrivedAt: 52 })?.logonId, "b");
  t.is(acd.enqueue({ callId: "c4", groupId: "everyone", arrivedAt: 53 })?.logonId, "a");
  t.is(acd.enqueue({ callId: "c5", groupId: "everyone", arrivedAt: 54 }), undefined);
  // an agent in a named group also takes the oldest "*" call
  t.is(acd.enqueue({ callId: "c6", groupId: "named", arrivedAt: 60 }), undefined);
  acd.remove("c3");
  acd.agentUnavailable("b", "clerical");
  t.is(acd.agentAvailable("b", 70)?.callId, "c5");
  acd.remove("c5");
  acd.agentUnavailable("b", "talking");
  t.is(acd.agentAvailable("b", 80)?.callId, "c6");
});

test("several \"*\" groups: a free agent takes the first call across all of them and its named groups", (t) => {
  const groups = [group("named")];
  for (let i = 0; i < 50; i++) groups.push(group(`star${i}`, { members: "*" }));
  const acd = new AcdDispatcher(groups);
  acd.agentLoggedOn({ logonId: "x", groups: [{ groupId: "named" }] });
  const arrivals: [string, string, number][] = [];
  for (let i = 0; i < 50; i++) arrivals.push([`s${i}`, `star${i}`, 1000 + ((i * 37) % 50) * 10]);
  arrivals.push(["n1", "named", 1255], ["n2", "named", 5000]);
  for (const [callId, groupId, arrivedAt] of arrivals) acd.enqueue({ callId, groupId, arrivedAt });
  // callers abandon in several "*" groups, the oldest of all among them; a late VIP jumps everyone
  const abandoned = new Set(["s0", "s7", "s14", "s21", "s28", "s35", "s42", "s49"]);
  for (const callId of abandoned) t.true(acd.remove(callId));
  acd.enqueue({ callId: "vip", groupId: "star30", priority: 1, arrivedAt: 9000 });
  const expected = ["vip", ...[...arrivals].sort((p, q) => p[2] - q[2]).map(([callId]) => callId).filter((id) => !abandoned.has(id))];
  const served: string[] = [];
  for (let at = 10_000; ; at++) {
    const offer = acd.agentAvailable("x", at);
    if (!offer) break;
    served.push(offer.callId);
    acd.remove(offer.callId);
    acd.agentUnavailable("x", "talking");
  }
  t.deepEqual(served, expected);
});

test("members listed in a group definition serve it, at the higher level when the agent names it too", (t) => {
  const acd = new AcdDispatcher([group("vip", { members: [{ logonId: "m", level: 7 }, { logonId: "n" }] })]);
  acd.agentLoggedOn({ logonId: "m", groups: [{ groupId: "vip", level: 2 }] });
  acd.agentLoggedOn({ logonId: "n", groups: [{ groupId: "vip", level: 4 }, { groupId: "removed-from-config", level: 9 }] });
  acd.agentLoggedOn({ logonId: "stranger", groups: [] });
  t.deepEqual([...acd.agent("m")!.skills], [["vip", 7]]);
  t.deepEqual([...acd.agent("n")!.skills], [["vip", 4]]);
  acd.agentAvailable("stranger", 1);
  acd.agentAvailable("n", 2);
  acd.agentAvailable("m", 3);
  t.is(acd.enqueue({ callId: "c1", groupId: "vip", arrivedAt: 4 })?.logonId, "m");
  t.is(acd.enqueue({ callId: "c2", groupId: "vip", arrivedAt: 5 })?.logonId, "n");
  t.is(acd.enqueue({ callId: "c3", groupId: "vip", arrivedAt: 6 }), undefined, "stranger is not a member");
});

test("new skills: a ready agent keeps its idle time and takes a waiting call of a group it now serves", (t) => {
  const acd = new AcdDispatcher([group("A"), group("B")]);
  readyAgents(acd, ["a", "b"], ["A"]);
  acd.enqueue({ callId: "b1", groupId: "B", arrivedAt: 5000 });
  t.is(acd.setAgentGroups("b", [{ groupId: "A" }, { groupId: "B" }])?.callId, "b1");
  t.is(acd.agent("b")?.state, "reserved");
  t.is(acd.agentCounts("B").reserved, 1);
  acd.remove("b1");
  acd.agentUnavailable("b", "talking");
  t.is(acd.agentAvailable("b", 6000), undefined);
  // a is moved to a higher level: it stays the longest idle
  t.is(acd.setAgentGroups("a", [{ groupId: "A", level: 5 }]), undefined);
  t.is(acd.agent("a")?.readySince, 1000);
  t.is(acd.enqueue({ callId: "a1", groupId: "A", arrivedAt: 7000 })?.logonId, "a");
  t.is(acd.agentCounts("B").loggedOn, 1);
});

test("a logged-off agent leaves the ready index; its unanswered offer can still be requeued", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  readyAgents(acd, ["a", "b"], ["sales"]);
  t.true(acd.agentLoggedOff("a"));
  t.is(acd.readyAgents, 1);
  t.is(acd.enqueue({ callId: "c1", groupId: "sales", arrivedAt: 10 })?.logonId, "b");
  acd.agentLoggedOff("b");
  t.is(acd.requeue("c1"), undefined);
  t.is(acd.position("c1"), 1);
  acd.agentLoggedOn({ logonId: "b", groups: [{ groupId: "sales" }] });
  t.is(acd.agentAvailable("b", 20)?.callId, "c1");
});

test("misuse is refused with stable error codes", (t) => {
  const code = (fn: () => unknown) => {
    const error = t.throws(fn);
    return isCtiError(error) ? error.code : String(error);
  };
  t.is(code(() => new AcdDispatcher([group("g"), group("g")])), Errors.CONFIG_INVALID.code);
  t.is(code(() => new AcdDispatcher([group("g", { members: [{ logonId: "a", level: 11 }] })])), Errors.CONFIG_INVALID.code);
  t.is(code(() => new AcdDispatcher([group("g", { everyAgentLevel: 2 })])), Errors.CONFIG_INVALID.code);
  const acd = new AcdDispatcher([group("g")]);
  t.is(code(() => acd.enqueue({ callId: "c", groupId: "nope", arrivedAt: 1 })), Errors.SERVICE_GROUP_UNKNOWN.code);
  t.is(code(() => acd.waiting("nope")), Errors.SERVICE_GROUP_UNKNOWN.code);
  acd.enqueue({ callId: "c", groupId: "g", arrivedAt: 1 });
  t.is(code(() => acd.enqueue({ callId: "c", groupId: "g", arrivedAt: 1 })), Errors.SIP_CALL_STATE.code);
  t.is(code(() => acd.enqueue({ callId: "d", groupId: "g", priority: 1.5, arrivedAt: 1 })), Errors.BAD_REQUEST.code);
  t.is(code(() => acd.requeue("c")), Errors.SIP_CALL_STATE.code);
  t.is(code(() => acd.requeue("gone")), Errors.CALL_NOT_FOUND.code);
  t.is(code(() => acd.agentAvailable("ghost", 1)), Errors.AGENT_NOT_LOGGED_ON.code);
  t.is(code(() => acd.agentLoggedOn({ logonId: "a", groups: [{ groupId: "g", level: 0 }] })), Errors.CONFIG_INVALID.code);
  acd.agentLoggedOn({ logonId: "a", groups: [{ groupId: "g" }] });
  t.is(code(() => acd.agentLoggedOn({ logonId: "a", groups: [] })), Errors.AGENT_STATE.code);
  t.is(code(() => acd.agentUnavailable("a", "idleReady" as never)), Errors.BAD_REQUEST.code);
  t.is(acd.waiting("g"), 1, "nothing changed by the refused calls");
});

test("agents ready at the same millisecond are taken in the order they became ready", (t) => {
  const acd = new AcdDispatcher([group("sales")]);
  for (const logonId of ["first", "second", "third"]) acd.agentLoggedOn({ logonId, groups: [{ groupId: "sales" }] });
  acd.agentAvailable("second", 500);
  acd.agentAvailable("third", 500);
  acd.agentAvailable("first", 400);
  const chosen = [1, 2, 3].map((i) => acd.enqueue({ callId: `c${i}`, groupId: "sales", arrivedAt: 600 })?.logonId);
  t.deepEqual(chosen, ["first", "second", "third"]);
});
