// The small value types every block of the script language uses: block ids, variable names, prompt names and
// values that may be templates. Kept apart from ivr/script-schema.ts so block files can use them without a cycle.
import { z } from "zod";

export const blockId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "block ids are letters, digits, '_' or '-'");
export const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "variable names are letters, digits or '_'");
export const promptName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "prompt names are lower-case letters, digits, '_' or '-'");
/** A literal or a template such as "${agentId}"; numbers are kept as text. */
export const templateValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
