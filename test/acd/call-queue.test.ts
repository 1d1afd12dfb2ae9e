import test from "ava";
import { CallQueue } from "../../cti/acd/call-queue.js";
import { compareCalls, type WaitingCall } from "../../cti/acd/waiting-call.js";
import { seededRandom } from "./seeded-random.js";

let seq = 0;
const call = (callId: string, priority: number, arrivedAt: number): WaitingCall => ({ callId, groupId: "g", priority, arrivedAt, seq: ++seq });
const ids = (queue: CallQueue<WaitingCall>) => queue.toArray().map((c) => c.callId);

test("calls are served by priority, then by arrival", (t) => {
  const queue = new CallQueue<WaitingCall>();
  queue.insert(call("low-early", 0, 100));
  queue.insert(call("high", 2, 300));
  queue.insert(call("mid", 1, 200));
  queue.insert(call("low-late", 0, 400));
  queue.insert(call("high-late", 2, 500));
  t.deepEqual(ids(queue), ["high", "high-late", "mid", "low-early", "low-late"]);
  t.is(queue.shift()?.callId, "high");
  t.is(queue.peek()?.callId, "high-late");
  t.is(queue.size, 4);
});

test("a call taken and inserted again goes back to its original place", (t) => {
  const queue = new CallQueue<WaitingCall>();
  const first = call("first", 0, 100);
  queue.insert(first);
  queue.insert(call("second", 0, 200));
  t.is(queue.shift(), first);
  queue.insert(call("third", 0, 300));
  queue.insert(first);
  t.deepEqual(ids(queue), ["first", "second", "third"]);
  t.is(queue.position(first), 1);
});

test("position, removal and the oldest arrival behind a later high-priority call", (t) => {
  const queue = new CallQueue<WaitingCall>();
  const old = call("old", 0, 100);
  const vip = call("vip", 5, 900);
  const middle = call("middle", 0, 500);
  for (const c of [old, middle, vip]) queue.insert(c);
  t.is(queue.position(vip), 1);
  t.is(queue.position(old), 2);
  t.is(queue.position(middle), 3);
  t.is(queue.oldestArrival(), 100);
  t.true(queue.remove(old));
  t.false(queue.remove(old));
  t.is(queue.position(old), undefined);
  t.is(queue.position(middle), 2);
  t.is(queue.oldestArrival(), 500);
  t.true(queue.remove(vip));
  t.true(queue.remove(middle));
  t.is(queue.size, 0);
  t.is(queue.peek(), undefined);
  t.is(queue.oldestArrival(), undefined);
});

test("random inserts, removals and shifts keep the same order as sorting (compaction included)", (t) => {
  const random = seededRandom(7);
  const queue = new CallQueue<WaitingCall>();
  const model: WaitingCall[] = [];
  let clock = 0;
  for (let step = 0; step < 20_000; step++) {
    const r = random.next();
    if (r < 0.45 || model.length === 0) {
      const c = call(`c${step}`, random.chance(0.8) ? 0 : random.between(1, 3), (clock += random.int(3)));
      queue.insert(c);
      model.push(c);
    } else if (r < 0.85) {
      model.sort(compareCalls);
      t.is(queue.shift(), model.shift());
    } else {
      const c = random.pick(model);
      model.splice(model.indexOf(c), 1);
      t.true(queue.remove(c));
    }
    if (step % 500 === 0) {
      model.sort(compareCalls);
      t.deepEqual(ids(queue), model.map((c) => c.callId));
      for (const [i, c] of model.entries()) t.is(queue.position(c), i + 1);
      t.is(queue.oldestArrival(), model.length ? Math.min(...model.map((c) => c.arrivedAt)) : undefined);
    }
  }
});
