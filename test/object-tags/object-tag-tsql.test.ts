// The T-SQL that migration 003 and the object tag queries send to SQL Server, compiled without a server (none can
// run on the build machines) and snapshotted for review; none of SQLite's LIMIT / ON CONFLICT / RETURNING.
import test, { type ExecutionContext } from "ava";
import { Kysely, type Compilable } from "kysely";
import { objectTags } from "../../cti/store/migrations/003-object-tags.js";
import { MssqlPoolDialect } from "../../cti/store/mssql-pool-driver.js";
import {
  configuredObjectQueries,
  dialedNumberQueries,
  objectTagMappingQueries,
  objectTagQueries,
} from "../../cti/object-tags/object-tag-queries.js";
import type { ObjectTagDb } from "../../cti/object-tags/object-tag-tables.js";
import { RecordingMssqlDriver } from "../store/recording-mssql-driver.js";

function recordingMssql(): { db: ObjectTagDb; driver: RecordingMssqlDriver } {
  const driver = new RecordingMssqlDriver();
  return { db: new Kysely({ dialect: new MssqlPoolDialect(driver) }) as ObjectTagDb, driver };
}

function assertTsql(t: ExecutionContext, sqlText: string): void {
  t.notRegex(sqlText, /\blimit\b/i, "T-SQL has no LIMIT");
  t.notRegex(sqlText, /\bon conflict\b/i, "T-SQL has no ON CONFLICT");
  t.notRegex(sqlText, /\breturning\b/i, "T-SQL has no RETURNING");
  t.notRegex(sqlText, /\?/, "parameters are @n on SQL Server");
}

test("migration 003 creates the manual's tables on SQL Server (snapshotted DDL)", async (t) => {
  const { db, driver } = recordingMssql();
  await objectTags("mssql").up(db);
  const statements = driver.queries.map((q) => q.sql);
  for (const s of statements) assertTsql(t, s);
  const objectTag = statements.find((s) => s.startsWith('create table "object_tag"'))!;
  t.regex(objectTag, /"id" integer identity primary key/);
  t.regex(objectTag, /"name" nvarchar\(100\) not null/);
  t.regex(objectTag, /"sa_enabled" bit default 0 not null/);
  t.regex(objectTag, /"dialednumber_enabled" bit default 0 not null/);
  t.regex(objectTag, /constraint "object_tag_tenant_name_type_uq" unique \("tenant_id", "name", "type"\)/);
  const mapping = statements.find((s) => s.startsWith('create table "object_tag_mapping"'))!;
  t.regex(mapping, /references "object_tag" \("id"\) on delete cascade/);
  t.regex(mapping, /check \(object_type in \(512, 1024, 4096, 1048576\)\)/);
  t.regex(mapping, /constraint "object_tag_mapping_pk" primary key \("object_tag_id", "object_type", "object_id"\)/);
  t.regex(statements.find((s) => s.startsWith('create table "dialed_number"'))!, /"number" nvarchar\(50\) not null/);
  t.snapshot(driver.queries, "003-object-tags up");
  driver.queries.splice(0);
  await objectTags("mssql").down!(db);
  t.snapshot(driver.queries, "003-object-tags down");
});

const samples: [string, Record<string, (db: ObjectTagDb, ...args: any[]) => Compilable>, Record<string, unknown[]>][] = [
  ["object_tag", objectTagQueries, {
    selectByTenant: [-1],
    selectById: [-1, 7],
    selectByName: [-1, "Région"],
    countByTenant: [-1],
    insert: [{ tenantId: -1, name: "Région", type: 1, sa: 1, sg: 0, agent: 1, dialedNumber: 0 }],
    updateAllowed: [-1, 7, { sa: 0, sg: 1, agent: 0, dialedNumber: 1 }],
    delete: [-1, 7],
  }],
  ["object_tag_mapping", objectTagMappingQueries, {
    selectByTag: [7],
    countByTagAndType: [7, 0x0200],
    updateValue: [7, 0x1000, 42, "north"],
    insert: [7, 0x1000, 42, "north"],
    delete: [7, 0x1000, 42],
    deleteByTag: [7],
    deleteByObject: [0x100000, 3],
    selectByObject: [-1, 0x1000, 42],
    valueForObject: [-1, "Region", 0x0400, 5],
  }],
  ["dialed_number", dialedNumberQueries, {
    selectByTenant: [-1],
    selectByNumber: [-1, "+46 8 555"],
    selectById: [-1, 3],
    insert: [-1, "+46 8 555"],
    delete: [-1, 3],
  }],
  ["service_group / service_access", configuredObjectQueries, {
    selectByConfigId: ["service_group", -1, "Sales"],
    selectById: ["service_access", -1, 5],
    insert: ["service_group", -1, "Sales", "Sales"],
  }],
];

for (const [table, queries, args] of samples) {
  test(`every ${table} query has a sample`, (t) => t.deepEqual(Object.keys(args).sort(), Object.keys(queries).sort()));
  for (const name of Object.keys(queries).sort()) {
    test(`the ${table} query ${name} compiles to the snapshotted T-SQL`, (t) => {
      const { db } = recordingMssql();
      const compiled = queries[name]!(db, ...(args[name] ?? [])).compile();
      assertTsql(t, compiled.sql);
      t.snapshot({ sql: compiled.sql, parameters: compiled.parameters });
    });
  }
}
