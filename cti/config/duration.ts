// Durations in configuration and scripts are written as "500ms", "5s", "2m" or "1h" (a bare number is
// milliseconds), and are always held as milliseconds in code.
import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

export const durationMs = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${value}" is not a duration (write e.g. 500ms, 5s, 2m)` });
    return z.NEVER;
  }
  return ms;
});
