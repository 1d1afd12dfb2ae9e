// Insert-or-update written once for both databases: T-SQL has no ON CONFLICT and SQLite has no MERGE. Update
// first; if no row matched, insert; if a concurrent writer inserted the same key in between, the insert fails on
// the key and the update is simply repeated.
import { isUniqueViolation } from "./constraint-violations.js";

export async function updateOrInsert(update: () => Promise<bigint>, insert: () => Promise<unknown>): Promise<void> {
  if ((await update()) > 0n) return;
  try {
    await insert();
  } catch (err) {
    if (!isUniqueViolation(err) || (await update()) === 0n) throw err;
  }
}
