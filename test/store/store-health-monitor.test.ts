import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../cti/events/event-bus.js";
import { silentLogger } from "../../cti/log.js";
import { openStore } from "../../cti/store/open-store.js";
import { StoreHealthMonitor } from "../../cti/store/store-health-monitor.js";

test("a real SQLite store answers the probe; a closed one fails it, once per change", async (t) => {
  const store = await openStore({ kind: "sqlite", file: join(mkdtempSync(join(tmpdir(), "ctibridge-health-")), "s.sqlite") }, silentLogger());
  const bus = new EventBus();
  const events: string[] = [];
  bus.on("store.connectionFailed", (e) => events.push(`failed:${e.kind}`));
  bus.on("store.connectionRestored", (e) => events.push(`restored:${e.kind}`));
  let reachable = true;
  const monitor = new StoreHealthMonitor({
    kind: "sqlite",
    ping: () => (reachable ? store.ping() : Promise.reject(new Error("database is locked"))),
    intervalMs: 60_000,
    bus,
    logger: silentLogger(),
  });
  t.is(await monitor.check(), "up");
  reachable = false;
  t.is(await monitor.check(), "down");
  t.is(await monitor.check(), "down");
  reachable = true;
  t.is(await monitor.check(), "up");
  t.deepEqual(events, ["failed:sqlite", "restored:sqlite"]);
  await store.close();
  // The real thing: a store whose connection is gone fails the probe.
  await t.throwsAsync(() => store.ping());
  monitor.close();
});
