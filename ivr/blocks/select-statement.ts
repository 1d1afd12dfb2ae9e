// The SQL of a `query` block, read once at load: one SELECT (seed 003, Appendix A: "In a field that accepts only
// SELECT statements, any statement that does not start with SELECT does not work"), with placeholders for the
// values a call brings. Placeholders are never spliced into the text; they become bound parameters:
//
//   SELECT name FROM customer WHERE phone = %ANI% AND pin = :digits
//        └─ fragments ────────────────────┘ └ profile field ANI ┘  └ script variable digits ┘
//
// The scan knows string literals ('…', with ''), quoted identifiers ("…", […], `…`) and comments (--, /* */), so
// ':' or '%' or a keyword inside them is text. Anything that could write or run a second statement is refused at
// load — a write keyword, a ';' before the end, host parameters (?, @, $) — so a script cannot change the database
// even through a login that could. Give the bridge a read-only login anyway.
import { isCallProfileField, type CallProfileField } from "./call-profile.js";

export type SqlPlaceholder = { kind: "variable"; name: string } | { kind: "profile"; field: CallProfileField };

export interface SelectStatement {
  /** The SQL as written (for messages). */
  readonly text: string;
  /** Text around the placeholders: fragments.length === placeholders.length + 1. */
  readonly fragments: readonly string[];
  readonly placeholders: readonly SqlPlaceholder[];
}

/** Words that make a statement do more than read. REPLACE is absent: it is also a string function. */
const REFUSED_WORDS = new Set([
  "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "DROP", "ALTER", "CREATE", "TRUNCATE", "EXEC", "EXECUTE",
  "GRANT", "REVOKE", "DENY", "INTO", "DECLARE", "SET", "BACKUP", "RESTORE", "SHUTDOWN", "KILL", "USE", "BULK",
  "OPENROWSET", "OPENDATASOURCE", "OPENQUERY", "OPENXML", "ATTACH", "DETACH", "PRAGMA", "VACUUM", "REINDEX",
  "WAITFOR", "DBCC", "RECONFIGURE", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "SAVE", "TRANSACTION",
  "RAISERROR", "THROW", "GO",
]);

const VARIABLE = /^:([A-Za-z_][A-Za-z0-9_]{0,63})/;
/** %Customer Number%: letters, digits, '_' and inner spaces, on one line. */
const PERCENT = /^%([A-Za-z_](?:[A-Za-z0-9_ ]{0,62}[A-Za-z0-9_])?)%/;
const WORD = /^[A-Za-z_][A-Za-z0-9_$#@]*/;

export class SelectStatementError extends Error {}

/** Parses and checks a query's SQL; throws SelectStatementError with the reason. */
export function parseSelectStatement(text: string): SelectStatement {
  const fragments: string[] = [];
  const placeholders: SqlPlaceholder[] = [];
  let fragment = "";
  let firstWord: string | undefined;
  let end = text.length;
  // A trailing ';' (and whitespace) is the statement's end, not a second statement.
  const trailing = /;\s*$/.exec(text);
  if (trailing) end = trailing.index;
  let i = 0;
  const take = (until: number) => {
    fragment += text.slice(i, until);
    i = until;
  };
  /** Where a literal, quoted identifier or comment opened at i ends (just after its closing mark). */
  const closing = (open: string, close: string, what: string) => {
    let j = i + open.length;
    for (;;) {
      const k = text.indexOf(close, j);
      if (k < 0 || k + close.length > end) throw new SelectStatementError(`unterminated ${what}`);
      // A doubled quote inside is an escaped one: 'it''s', "a""b", [a]]b], `a``b`.
      if (close.length === 1 && text[k + 1] === close) {
        j = k + 2;
        continue;
      }
      return k + close.length;
    }
  };
  while (i < end) {
    const c = text[i]!;
    const rest = text.slice(i, end);
    if (c === "'") take(closing("'", "'", "string literal"));
    else if (c === '"') take(closing('"', '"', "quoted identifier"));
    else if (c === "[") take(closing("[", "]", "bracketed identifier"));
    else if (c === "`") take(closing("`", "`", "quoted identifier"));
    else if (rest.startsWith("--")) {
      const k = text.indexOf("\n", i);
      take(k < 0 || k > end ? end : k);
    } else if (rest.startsWith("/*")) take(closing("/*", "*/", "comment"));
    else if (c === ":" && text[i - 1] !== ":" && VARIABLE.test(rest)) {
      const m = VARIABLE.exec(rest)!;
      fragments.push(fragment);
      fragment = "";
      placeholders.push({ kind: "variable", name: m[1]! });
      i += m[0].length;
    } else if (c === "%" && PERCENT.test(rest)) {
      const m = PERCENT.exec(rest)!;
      const name = m[1]!;
      if (isCallProfileField(name)) placeholders.push({ kind: "profile", field: name });
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) placeholders.push({ kind: "variable", name });
      else throw new SelectStatementError(`%${name}% is neither a call profile field nor a variable (profile field names are case-sensitive)`);
      fragments.push(fragment);
      fragment = "";
      i += m[0].length;
    } else if (c === ";") {
      throw new SelectStatementError("only one statement is allowed (a ';' before the end)");
    } else if (c === "?" || c === "@" || c === "$") {
      throw new SelectStatementError(`'${c}' is not allowed outside quotes: write values as :variable or %Profile Field%`);
    } else if (WORD.test(rest) && !/[A-Za-z0-9_$#@]/.test(text[i - 1] ?? " ")) {
      const word = WORD.exec(rest)![0];
      const upper = word.toUpperCase();
      if (firstWord === undefined && upper !== "SELECT") throw new SelectStatementError("only SELECT is allowed: the statement must start with SELECT");
      firstWord ??= upper;
      if (REFUSED_WORDS.has(upper)) throw new SelectStatementError(`only SELECT is allowed: "${word}" may change the database`);
      take(i + word.length);
    } else take(i + 1);
  }
  fragments.push(fragment);
  if (firstWord !== "SELECT") throw new SelectStatementError("only SELECT is allowed: the statement must start with SELECT");
  return { text, fragments, placeholders };
}

/** The names a statement reads, for messages and checks: ":name" and "%Field%". */
export function describePlaceholder(p: SqlPlaceholder): string {
  return p.kind === "variable" ? `:${p.name}` : `%${p.field}%`;
}
