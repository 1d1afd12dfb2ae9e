// Recognising constraint errors from both drivers, so "already exists" and "refers to nothing" become stable
// CtiErrors instead of driver messages.

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** SQL Server error number: mssql's RequestError.number, or tedious' error underneath it. */
function mssqlNumber(err: unknown): number | undefined {
  const e = err as { number?: unknown; originalError?: { number?: unknown; info?: { number?: unknown } } } | null;
  const n = e?.number ?? e?.originalError?.info?.number ?? e?.originalError?.number;
  return typeof n === "number" ? n : undefined;
}

/** A primary key or unique constraint rejected the row (SQLite UNIQUE/PRIMARYKEY, SQL Server 2627/2601). */
export function isUniqueViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  if (code) return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  const n = mssqlNumber(err);
  return n === 2627 || n === 2601;
}

/** A foreign key rejected the change (SQLite FOREIGNKEY, SQL Server 547, which also covers CHECK constraints). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  if (code) return code === "SQLITE_CONSTRAINT_FOREIGNKEY";
  return mssqlNumber(err) === 547;
}

/** Runs an insert; resolves false instead of failing when the row is there already (a unique or primary key). */
export async function insertUnlessPresent(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
