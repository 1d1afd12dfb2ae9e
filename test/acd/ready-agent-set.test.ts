import test from "ava";
import { ReadyAgentSet, type ReadyAgent, type ReadyNode } from "../../cti/acd/ready-agent-set.js";

interface Agent extends ReadyAgent {
  readySince: number;
  readySeq: number;
}

function setWith(...ids: string[]) {
  const set = new ReadyAgentSet<Agent>();
  const nodes = new Map<string, ReadyNode<Agent>>(ids.map((logonId) => [logonId, set.node({ logonId, readySince: 0, readySeq: 0 })]));
  const ready = (logonId: string, readySince: number, readySeq: number) => {
    const node = nodes.get(logonId)!;
    node.agent.readySince = readySince;
    node.agent.readySeq = readySeq;
    set.link(node);
  };
  const leave = (logonId: string) => set.unlink(nodes.get(logonId)!);
  const order = () => [...set].map((a) => a.logonId);
  return { set, ready, leave, order };
}

test("the agent idle longest comes first; one becoming ready again goes to the end", (t) => {
  const { set, ready, leave, order } = setWith("a", "b", "c");
  ready("a", 10, 1);
  ready("b", 20, 2);
  ready("c", 30, 3);
  t.is(set.first()?.logonId, "a");
  leave("a");
  leave("a"); // leaving twice changes nothing
  t.is(set.size, 2);
  t.is(set.first()?.logonId, "b");
  ready("a", 40, 4);
  t.deepEqual(order(), ["b", "c", "a"]);
  t.is(set.size, 3);
});

test("an agent put back with an earlier time (groups changed, clock stepped back) goes to its place", (t) => {
  const { set, ready, leave, order } = setWith("a", "b", "c", "d", "e");
  ready("b", 20, 2);
  ready("c", 30, 3);
  ready("a", 10, 1);
  t.deepEqual(order(), ["a", "b", "c"]);
  ready("d", 20, 0); // same time as b, became ready before it
  t.deepEqual(order(), ["a", "d", "b", "c"]);
  ready("c", 5, 9); // moved, not duplicated
  t.deepEqual(order(), ["c", "a", "d", "b"]);
  t.is(set.size, 4);
  for (const id of ["c", "a", "d", "b"]) leave(id);
  t.is(set.first(), undefined);
  t.is(set.size, 0);
  ready("e", 1, 1);
  t.deepEqual(order(), ["e"]);
});

test("a node belongs to the set that made it", (t) => {
  const one = new ReadyAgentSet<Agent>();
  const other = new ReadyAgentSet<Agent>();
  t.throws(() => other.link(one.node({ logonId: "a", readySince: 0, readySeq: 0 })));
  t.is(other.size, 0);
});
