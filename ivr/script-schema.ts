// The IVR script language: a named set of blocks, each doing one thing and naming the block that runs next.
// Scripts are YAML files validated against this schema at load, so an author sees file, line and reason
// before a caller ever reaches a broken script.
import { z } from "zod";
import { durationMs } from "../cti/config/duration.js";
import { profileBlockSchema } from "./blocks/profile-block.js";
import { queryBlockSchema } from "./blocks/query-block.js";
import { blockId, promptName, templateValue as value, variableName } from "./blocks/script-fields.js";
import { timeOfDaySchema } from "./blocks/time-of-day.js";
import { webhookBlockSchema } from "./blocks/webhook-block.js";
import { objectTagBlockSchema } from "./blocks/object-tag-block.js";
import { deflectBlockSchema, divertBlockSchema, queueBlockSchema } from "./blocks/hand-off-blocks.js";

const playBlock = z
  .object({
    type: z.literal("play"),
    prompts: z.array(promptName).min(1),
    /** Stop the prompt when the caller presses a key (the digit is kept for the next collect). */
    interruptible: z.boolean().default(false),
    next: blockId.optional(),
  })
  .strict();

const collectBlock = z
  .object({
    type: z.literal("collect"),
    prompts: z.array(promptName).default([]),
    into: variableName,
    minDigits: z.number().int().min(1).max(64).default(1),
    maxDigits: z.number().int().min(1).max(64).default(20),
    /** Key that ends the input early; not part of the value. "" for none. */
    terminator: z.enum(["#", "*", ""]).default("#"),
    /** From the end of the prompt to the first digit. */
    firstDigitTimeout: durationMs.default(8000),
    /** Between digits; when it expires the digits so far are the input. */
    interDigitTimeout: durationMs.default(4000),
    /** Times the prompt is played again after no input or too few digits. */
    retries: z.number().int().min(0).max(10).default(2),
    /** Where to go when every try ended without valid input (default: disconnect). */
    onNoInput: blockId.optional(),
    next: blockId.optional(),
  })
  .strict()
  .refine((b) => b.maxDigits >= b.minDigits, { message: "maxDigits must be at least minDigits", path: ["maxDigits"] });

const variableCondition = z
  .object({
    var: variableName,
    equals: value.optional(),
    notEquals: value.optional(),
    /** Numbers, or templates such as "${MAX_TRIES}". */
    lessThan: value.optional(),
    greaterThan: value.optional(),
    matches: z.string().optional(),
    in: z.array(value).optional(),
    empty: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const tests = ["equals", "notEquals", "lessThan", "greaterThan", "matches", "in", "empty"].filter(
      (k) => (c as Record<string, unknown>)[k] !== undefined,
    );
    if (tests.length !== 1) ctx.addIssue({ code: "custom", message: "a condition has exactly one test (equals, notEquals, lessThan, greaterThan, matches, in, empty)" });
    if (c.matches !== undefined) {
      try {
        new RegExp(c.matches);
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["matches"], message: `not a regular expression: ${(e as Error).message}` });
      }
    }
  });

/** Holds during opening hours (see ivr/blocks/time-of-day.ts). */
const timeOfDayCondition = z.object({ timeOfDay: timeOfDaySchema }).strict();

export type VariableCondition = z.output<typeof variableCondition>;
export type TimeOfDayCondition = z.output<typeof timeOfDayCondition>;

/**
 * A case's test: on a variable, or the time of day. The key present picks the schema, so an author's mistake is
 * reported against the kind of test they meant rather than as "matches no alternative".
 */
const condition = z.unknown().transform((input, ctx): VariableCondition | TimeOfDayCondition => {
  const schema = input !== null && typeof input === "object" && "timeOfDay" in input ? timeOfDayCondition : variableCondition;
  const result = (schema as z.ZodType<VariableCondition | TimeOfDayCondition, z.ZodTypeDef, unknown>).safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue(issue as z.IssueData);
  return z.NEVER;
});

const branchBlock = z
  .object({
    type: z.literal("branch"),
    cases: z.array(z.object({ if: condition, next: blockId }).strict()).min(1),
    else: blockId,
  })
  .strict();

const assignBlock = z
  .object({
    type: z.literal("assign"),
    /** Variables set to literals or templates, e.g. { caller: "${ANI}" }. */
    set: z.record(variableName, value).default({}),
    /** Variables increased by one (treated as 0 when unset). */
    increment: z.array(variableName).default([]),
    next: blockId.optional(),
  })
  .strict();

const actionBlock = z
  .object({
    type: z.literal("action"),
    /** A built-in action, e.g. agent.logon (see README "IVR scripts"). */
    action: z.string().regex(/^[a-z]+\.[A-Za-z]+$/, "actions are named area.verb, e.g. agent.logon"),
    with: z.record(z.string(), value).default({}),
    /** Variable receiving the outcome name. */
    into: variableName.optional(),
    /** Outcome → next block; outcomes not listed go to `next`. */
    on: z.record(z.string(), blockId).default({}),
    next: blockId.optional(),
  })
  .strict();

const disconnectBlock = z.object({ type: z.literal("disconnect") }).strict();

export const scriptSchema = z
  .object({
    script: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    description: z.string().optional(),
    /** Initial values of script variables. */
    variables: z.record(variableName, value).default({}),
    start: blockId,
    blocks: z.record(blockId, z.unknown()),
  })
  .strict();

export type PlayBlock = z.output<typeof playBlock>;
export type CollectBlock = z.output<typeof collectBlock>;
export type BranchBlock = z.output<typeof branchBlock>;
export type AssignBlock = z.output<typeof assignBlock>;
export type ActionBlock = z.output<typeof actionBlock>;
export type DisconnectBlock = z.output<typeof disconnectBlock>;
export type { QueryBlock } from "./blocks/query-block.js";
export type { WebhookBlock } from "./blocks/webhook-block.js";
export type { ProfileBlock } from "./blocks/profile-block.js";
export type Block =
  | PlayBlock
  | CollectBlock
  | BranchBlock
  | AssignBlock
  | ActionBlock
  | DisconnectBlock
  | z.output<typeof queryBlockSchema>
  | z.output<typeof webhookBlockSchema>
  | z.output<typeof profileBlockSchema>
  | z.output<typeof objectTagBlockSchema>
  | z.output<typeof deflectBlockSchema>
  | z.output<typeof divertBlockSchema>
  | z.output<typeof queueBlockSchema>;
export type Condition = VariableCondition | TimeOfDayCondition;

export const blockSchemas = {
  play: playBlock,
  collect: collectBlock,
  branch: branchBlock,
  assign: assignBlock,
  action: actionBlock,
  disconnect: disconnectBlock,
  query: queryBlockSchema,
  webhook: webhookBlockSchema,
  profile: profileBlockSchema,
  objectTag: objectTagBlockSchema,
  deflect: deflectBlockSchema,
  divert: divertBlockSchema,
  queue: queueBlockSchema,
} as const;
export type BlockType = keyof typeof blockSchemas;
