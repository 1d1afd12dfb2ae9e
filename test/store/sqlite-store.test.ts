// What is particular to the embedded SQLite store: file creation, WAL, migrations on reopen, busy timeout and
// atomic failure counting across processes, and the lenient reading of hand-written time stamps.
import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { createLogger, silentLogger } from "../../cti/log.js";
import { migrationsFor } from "../../cti/store/migrations/index.js";
import { openStore } from "../../cti/store/open-store.js";
import { Writable } from "node:stream";
import { mentionsPin } from "../harness/mentions-pin.js";

const here = dirname(fileURLToPath(import.meta.url));

function tempDir(t: import("ava").ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ctibridge-sqlite-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function runWorker(args: string[], onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "sqlite-worker.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (onLine && out.includes("\n")) onLine(out.split("\n")[0]!);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

test("opening creates the folder and the file, in WAL mode, and reopening applies no migration twice", async (t) => {
  const file = join(tempDir(t), "nested", "data", "ctibridge.sqlite");
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  const store = await openStore({ kind: "sqlite", file }, logger);
  t.is(store.kind, "sqlite");
  await store.users.add({ tenantId: -1, logonId: "1001", pin: "6172839" });
  await store.close();
  await store.close();
  t.true(existsSync(file));
  t.is(lines.filter((l) => l.includes("database migration applied")).length, Object.keys(migrationsFor("sqlite")).length);
  t.false(lines.some((l) => mentionsPin(l, "6172839")), "the PIN never reaches the log");

  const raw = new BetterSqlite3(file);
  t.is(raw.pragma("journal_mode", { simple: true }), "wal");
  raw.close();

  lines.length = 0;
  const reopened = await openStore({ kind: "sqlite", file }, logger);
  t.is(lines.filter((l) => l.includes("database migration applied")).length, 0);
  t.like(await reopened.users.get(-1, "1001"), { logonId: "1001" });
  await reopened.close();
});

test("a write waits for another process's lock (busy timeout) instead of failing", async (t) => {
  const file = join(tempDir(t), "ctibridge.sqlite");
  const store = await openStore({ kind: "sqlite", file }, silentLogger());
  t.teardown(() => store.close());
  let release!: () => void;
  const locked = new Promise<void>((r) => (release = r));
  const holder = runWorker([file, "hold-write-lock", "400"], (line) => line === "locked" && release());
  await locked;
  const started = Date.now();
  await store.users.add({ tenantId: -1, logonId: "1001", pin: "1234" });
  t.true(Date.now() - started >= 250, "the insert had to wait for the other process's transaction");
  await holder;
  t.like(await store.users.get(-1, "1001"), { logonId: "1001" });
});

test("wrong PINs keyed at once from two processes are all counted", async (t) => {
  const file = join(tempDir(t), "ctibridge.sqlite");
  const store = await openStore({ kind: "sqlite", file }, silentLogger());
  t.teardown(() => store.close());
  await store.users.add({ tenantId: -1, logonId: "1001", pin: "1234" });
  const outputs = await Promise.all([runWorker([file, "wrong-pins", "-1", "1001", "6"]), runWorker([file, "wrong-pins", "-1", "1001", "6"])]);
  for (const out of outputs) t.deepEqual(JSON.parse(out), Array(6).fill("wrongPin"));
  t.is((await store.users.get(-1, "1001"))?.failedAttempts, 12);
});

test("hand-written time stamps in other formats are read and ordered as times", async (t) => {
  const file = join(tempDir(t), "ctibridge.sqlite");
  const store = await openStore({ kind: "sqlite", file }, silentLogger());
  t.teardown(() => store.close());
  const cm = (await store.callManagers.sync(-1, [{ id: "cm", name: "CM", site: "hq", type: "TAS", host: "127.0.0.1", port: 5060, transport: "udp", keepalive: { interval: 5000, timeout: 2000 } }])).get("cm")!;
  const users = await Promise.all(["1", "2", "3", "4"].map((n) => store.users.add({ tenantId: -1, logonId: `100${n}`, pin: "1234" })));
  const raw = new BetterSqlite3(file);
  const insert = raw.prepare("insert into phone_agent_logon (agent_id, tenant_id, call_manager_id, phone_num, ready_status, priority_logon, time_stamp) values (?, -1, ?, ?, ?, 0, ?)");
  insert.run(users[0]!.id, cm, "2001", "1", "2021-06-01T10:00:00.000Z"); // ISO with T and Z: sorts after ' ' as text
  insert.run(users[1]!.id, cm, 2002n, 0, 1609459200); // an integer phone number; unix seconds: 2021-01-01T00:00:00Z
  insert.run(users[2]!.id, cm, "2003", 1, "2021-03-01 09:30:00"); // CURRENT_TIMESTAMP shape
  insert.run(users[3]!.id, cm, "2004", 1, "not a time");
  raw.close();
  const rows = await store.phoneAgentLogons.list();
  t.deepEqual(
    rows.map((r) => [r.phoneNum, r.readyStatus, r.timeStamp.toISOString()]),
    [
      ["2004", true, "1970-01-01T00:00:00.000Z"],
      ["2002", false, "2021-01-01T00:00:00.000Z"],
      ["2003", true, "2021-03-01T09:30:00.000Z"],
      ["2001", true, "2021-06-01T10:00:00.000Z"],
    ],
  );
});
