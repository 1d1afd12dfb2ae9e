// Queue thresholds per service group: raised once when reached, cleared once when the queue falls below.
import test from "ava";
import { EventBus, type QueueThresholdEvent } from "../../cti/events/event-bus.js";
import { QueueThresholdWatcher } from "../../snmp/queue-threshold-watcher.js";

test("waiting calls and longest wait raise and clear once per crossing, with '*' as the default", (t) => {
  const bus = new EventBus();
  const seen: string[] = [];
  const record = (kind: string) => (e: QueueThresholdEvent) => seen.push(`${kind} ${e.serviceGroup} ${e.metric} ${e.value}/${e.threshold}`);
  bus.on("queue.thresholdExceeded", record("raise"));
  bus.on("queue.thresholdCleared", record("clear"));
  let groups = [
    { name: "Sales", waiting: 2, longestWaitSeconds: 10 },
    { name: "Support", waiting: 1, longestWaitSeconds: 0 },
  ];
  const watcher = new QueueThresholdWatcher({
    thresholds: [
      { serviceGroup: "Sales", waitingCalls: 5, longestWait: 60_000 },
      { serviceGroup: "*", waitingCalls: 3 },
    ],
    status: { agentsByState: () => ({}), serviceGroups: () => groups, callManagerLinks: () => [] },
    bus,
    intervalMs: 0,
  });
  watcher.check();
  t.deepEqual(seen, []);
  groups = [
    { name: "Sales", waiting: 6, longestWaitSeconds: 75 },
    { name: "Support", waiting: 3, longestWaitSeconds: 0 },
  ];
  watcher.check();
  watcher.check(); // still above: no repeat
  t.deepEqual(seen, ["raise Sales waitingCalls 6/5", "raise Sales longestWait 75/60", "raise Support waitingCalls 3/3"]);
  groups = [
    { name: "Sales", waiting: 4, longestWaitSeconds: 75 },
    { name: "Support", waiting: 0, longestWaitSeconds: 0 },
  ];
  watcher.check();
  t.deepEqual(seen.slice(3), ["clear Sales waitingCalls 4/5", "clear Support waitingCalls 0/3"]);
  watcher.close();
});
