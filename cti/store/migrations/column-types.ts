// The few column spellings that differ between SQLite and SQL Server. Everything else in a migration is shared.
import { sql, type ColumnDefinitionBuilder, type Expression } from "kysely";
import type { StoreKind } from "../database-schema.js";

type DataType = Parameters<import("kysely").CreateTableBuilder<string, never>["addColumn"]>[1];

export interface ColumnTypes {
  /** Text that holds names typed by people (any script). */
  readonly unicodeText: (length: number) => DataType;
  readonly flag: DataType;
  readonly timestamp: DataType;
  /** Default for timestamp columns: the current UTC time with milliseconds. */
  readonly nowUtc: Expression<unknown>;
  /** An integer key that the database numbers: IDENTITY on SQL Server, a rowid alias on SQLite. */
  readonly identityPrimaryKey: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export function columnTypesFor(kind: StoreKind): ColumnTypes {
  if (kind === "mssql") {
    return {
      unicodeText: (length) => sql`nvarchar(${sql.raw(String(length))})`,
      flag: sql`bit`,
      timestamp: sql`datetime2(3)`,
      nowUtc: sql`sysutcdatetime()`,
      identityPrimaryKey: (c) => c.identity().primaryKey(),
    };
  }
  return {
    // SQLite text is Unicode whatever the declared type; the length is documentation.
    unicodeText: (length) => sql`varchar(${sql.raw(String(length))})`,
    flag: "integer",
    timestamp: "text",
    // SQLite needs parentheses around an expression default; this text sorts like time and matches toDate().
    nowUtc: sql`(strftime('%Y-%m-%d %H:%M:%f', 'now'))`,
    identityPrimaryKey: (c) => c.primaryKey().autoIncrement(),
  };
}
