// Narrowing of values read from either database. SQLite returns 0/1 for flags and text for timestamps, SQL Server
// returns booleans and Dates, and rows a customer inserted by hand may use other spellings (CURRENT_TIMESTAMP text,
// unix seconds, '1'). Reading must accept all of them.

/** A flag column as a boolean: true, 1, '1', 'true' are set; everything else is clear. */
export function toFlag(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" || typeof value === "bigint") return Number(value) !== 0;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    return v === "true" || (v !== "" && Number.isFinite(Number(v)) && Number(v) !== 0);
  }
  return false;
}

/** A boolean as written to a flag column (bit on SQL Server, integer on SQLite). */
export function flag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

const SQL_TEXT_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A timestamp column as a Date, or undefined when it cannot be read. Text without a zone is UTC (what SQLite's
 * CURRENT_TIMESTAMP and this layer write); numbers are unix seconds or, when large, milliseconds.
 */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "number" || typeof value === "bigint") {
    const n = Number(value);
    if (!Number.isFinite(n)) return undefined;
    return new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  }
  if (typeof value === "string") {
    const text = value.trim();
    const m = SQL_TEXT_TIMESTAMP.exec(text);
    if (m) {
      const d = new Date(`${m[1]}T${m[2]}${m[3] ?? "Z"}`);
      return Number.isNaN(d.getTime()) ? undefined : d;
    }
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(`${text}T00:00:00Z`);
    if (/^-?\d+(\.\d+)?$/.test(text)) return toDate(Number(text));
  }
  return undefined;
}

/** How SQLite stores a timestamp: UTC text that sorts like time and matches CURRENT_TIMESTAMP's shape. */
export function sqliteTimestampText(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
