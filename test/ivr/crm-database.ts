// A real SQLite "CRM" for query block tests: a customer table with a few rows, in the test's temp dir.
import { readdirSync, readFileSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { makeTempDir, type TempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";
import { DataSources } from "../../ivr/blocks/data-sources.js";
import { dataSourceSchema } from "../../ivr/blocks/data-source-config.js";
import { silentLogger } from "../../cti/log.js";

export const CUSTOMERS = [
  { phone: "+46701234567", customer_number: "4711", name: "Åsa Öberg", segment: "gold", balance: 1250.5 },
  { phone: "+46707654321", customer_number: "0042", name: "Bo Ek", segment: "silver", balance: 0 },
];

/** Creates crm.sqlite in a temp dir (removed when the test passes). */
export function createCrmDatabase(t: TeardownContext): TempDir {
  const dir = makeTempDir(t, "crm");
  const db = new BetterSqlite3(dir.join("crm.sqlite"));
  db.exec(`CREATE TABLE customer (phone TEXT PRIMARY KEY, customer_number TEXT, name TEXT, segment TEXT, balance REAL,
           since INTEGER, photo BLOB, note TEXT)`);
  const insert = db.prepare("INSERT INTO customer (phone, customer_number, name, segment, balance, since, photo, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const c of CUSTOMERS) insert.run(c.phone, c.customer_number, c.name, c.segment, c.balance, 9007199254740993n, Buffer.from([0xca, 0xfe]), null);
  db.close();
  return dir;
}

/** The configured data sources over that file, closed on teardown. */
export function crmDataSources(t: TeardownContext, dir: TempDir, overrides: { timeout?: string; connections?: number } = {}): DataSources {
  const config = dataSourceSchema.parse({ name: "crm", kind: "sqlite", file: "crm.sqlite", ...overrides });
  const sources = new DataSources([config], { dataDir: dir.path, logger: silentLogger() });
  t.teardown(() => sources.close());
  return sources;
}

/** PIDs of SQLite reader processes (children of this process) on a database file under `dir`. */
export function sqliteReaderPids(dir: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return ppid === process.pid && cmdline.includes("sqlite-reader-process") && cmdline.includes(dir);
      } catch {
        return false; // the process ended while we looked
      }
    })
    .map(Number);
}
