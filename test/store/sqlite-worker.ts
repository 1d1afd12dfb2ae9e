// Child process for sqlite-store.test.ts: a second process on the same SQLite file, as a CLI run beside the
// daemon would be. Usage: node sqlite-worker.js <file> wrong-pins <tenant> <logonId> <count> | hold-write-lock <ms>
import BetterSqlite3 from "better-sqlite3";
import { silentLogger } from "../../cti/log.js";
import { openStore } from "../../cti/store/open-store.js";

const [file, action, ...args] = process.argv.slice(2);
if (!file) throw new Error("usage: sqlite-worker <file> <action> ...");

if (action === "wrong-pins") {
  const [tenant, logonId, count] = [Number(args[0]), String(args[1]), Number(args[2])];
  const store = await openStore({ kind: "sqlite", file }, silentLogger());
  const results = await Promise.all(Array.from({ length: count }, () => store.users.verifyPin(tenant, logonId, "99999", 0)));
  await store.close();
  process.stdout.write(JSON.stringify(results.map((r) => (r.ok ? "ok" : r.reason))));
} else if (action === "hold-write-lock") {
  const db = new BetterSqlite3(file);
  db.exec("begin immediate");
  process.stdout.write("locked\n");
  setTimeout(() => {
    db.exec("commit");
    db.close();
  }, Number(args[0]));
} else {
  throw new Error(`unknown action ${action}`);
}
