// `query`: one SELECT on a configured data source (seed 003, "Database Interactions": SQLConnect / SQLExecute as
// one block). Values from the call are bound as parameters, never spliced into the SQL. The first row's columns go
// to script variables and call profile fields, the number of rows to a variable; the script goes on at `found`,
// `notFound` or `error`.
//
//   lookup:
//     type: query
//     dataSource: crm
//     sql: SELECT name, type FROM customer WHERE phone = %ANI% OR number = :digits
//     into: { name: customerName }            # column → variable (default: every column to a same-named variable)
//     intoProfile: { type: Customer Type }    # column → call profile field
//     rowCount: rows
//     timeout: 2s                             # default: the data source's timeout
//     found: greet
//     notFound: ask-again
//     error: sorry                            # timeout or database error; without it the error ends the script
import { z } from "zod";
import { durationMs } from "../../cti/config/duration.js";
import { valueAsText, type BlockRun } from "./block-run.js";
import { profileFieldKey } from "./profile-block.js";
import { blockId, variableName } from "./script-fields.js";
import { QueryTimeoutError } from "./data-sources.js";
import { parseSelectStatement, SelectStatementError, type SelectStatement } from "./select-statement.js";

const selectStatement = z
  .string()
  .min(1)
  .transform((text, ctx): SelectStatement => {
    try {
      return parseSelectStatement(text);
    } catch (e) {
      if (!(e instanceof SelectStatementError)) throw e;
      ctx.addIssue({ code: "custom", message: e.message });
      return z.NEVER;
    }
  });

export const queryBlockSchema = z
  .object({
    type: z.literal("query"),
    /** One of the configuration's dataSources[].name. */
    dataSource: z.string().min(1),
    /** One SELECT; :variable and %Profile Field% are bound as parameters. */
    sql: selectStatement,
    /** Column of the first row → variable. Without it, every column goes to the variable of the same name. */
    into: z.record(z.string().min(1), variableName).optional(),
    /** Column of the first row → call profile field. */
    intoProfile: z.record(z.string().min(1), profileFieldKey).default({}),
    /** Variable receiving the number of rows ("0" when none, or on error). */
    rowCount: variableName.optional(),
    timeout: durationMs.optional(),
    found: blockId.optional(),
    notFound: blockId.optional(),
    error: blockId.optional(),
    next: blockId.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.timeout !== undefined && b.timeout < 1) ctx.addIssue({ code: "custom", path: ["timeout"], message: "the timeout must be at least 1ms" });
  });

export type QueryBlock = z.output<typeof queryBlockSchema>;

/** Block ids a query block may go to, with where each is written (for the load-time reference check). */
export function queryBlockTargets(block: QueryBlock): [string, string | undefined][] {
  return [["found", block.found], ["notFound", block.notFound], ["error", block.error], ["next", block.next]];
}

export async function runQueryBlock(block: QueryBlock, run: BlockRun): Promise<string | undefined> {
  const values = block.sql.placeholders.map((p) => (p.kind === "profile" ? (run.profile.get(p.field) ?? "") : (run.lookup(p.name) ?? "")));
  const log = run.logger.child({ callId: run.callId, script: run.script, block: run.blockId, dataSource: block.dataSource });
  const started = performance.now();
  let result;
  try {
    if (!run.dataSources) throw new Error("no data sources are configured");
    result = await run.dataSources.select(block.dataSource, block.sql, values, block.timeout);
  } catch (e) {
    const reason = e instanceof QueryTimeoutError ? "timeout" : "error";
    // Driver messages can quote a bound value (a conversion error naming a PIN, say): quoted text is not logged.
    const message = withoutQuotedValues((e as Error).message);
    log.warn({ reason, err: message }, "query failed");
    if (block.rowCount) run.setVariable(block.rowCount, "0");
    if (block.error !== undefined) return block.error;
    throw new Error(`query on data source ${block.dataSource} failed: ${message}`);
  }
  const row = result.firstRow;
  if (block.into) {
    for (const [column, variable] of Object.entries(block.into)) run.setVariable(variable, valueAsText(row?.[column]));
  } else if (row) {
    for (const [column, value] of Object.entries(row)) run.setVariable(column, valueAsText(value));
  }
  if (row) for (const [column, field] of Object.entries(block.intoProfile)) run.profile.set(field, valueAsText(row[column]));
  if (block.rowCount) run.setVariable(block.rowCount, String(result.rowCount));
  log.debug({ rows: result.rowCount, ms: Math.round(performance.now() - started) }, "query answered");
  return result.rowCount > 0 ? (block.found ?? block.next) : (block.notFound ?? block.next);
}

function withoutQuotedValues(message: string): string {
  return message.replace(/'[^']*'/g, "'…'");
}
