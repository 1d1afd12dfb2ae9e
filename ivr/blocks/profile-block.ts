// `profile`: sets call profile fields (seed 003, "Change Profile"), which travel with the call to the queue, the
// agent's phone and the events. Field names are the manual's, case-sensitive; values may be templates.
//
//   classify:
//     type: profile
//     set:
//       Customer Number: ${customerNumber}
//       Service: Sales
//       Priority: 5                  # "" clears a field
//     next: queue
import { z } from "zod";
import { closestProfileField, isCallProfileField, READ_ONLY_PROFILE_FIELDS, type CallProfileField } from "./call-profile.js";
import type { BlockRun } from "./block-run.js";
import { fillTemplate } from "../template.js";
import { blockId, templateValue } from "./script-fields.js";

/** A call profile field name, checked at load; "customer number" is refused with the right spelling. */
export const profileFieldKey = z.string().transform((name, ctx): CallProfileField => {
  if (isCallProfileField(name)) return name;
  const close = closestProfileField(name);
  ctx.addIssue({
    code: "custom",
    message: close ? `no call profile field "${name}" (names are case-sensitive: "${close}")` : `no call profile field "${name}" (see README "Call profile")`,
  });
  return z.NEVER;
});

export const profileBlockSchema = z
  .object({
    type: z.literal("profile"),
    /** Field → value (a literal or a template). */
    set: z.record(z.string(), templateValue),
    next: blockId.optional(),
  })
  .strict()
  .transform((block, ctx) => {
    const set: [CallProfileField, string][] = [];
    for (const [name, value] of Object.entries(block.set)) {
      const field = profileFieldKey.safeParse(name);
      if (!field.success) {
        for (const issue of field.error.issues) ctx.addIssue({ ...issue, path: ["set", name] } as z.IssueData);
      } else if (READ_ONLY_PROFILE_FIELDS.has(field.data)) {
        ctx.addIssue({ code: "custom", path: ["set", name], message: `the call profile field "${name}" is kept by the bridge and cannot be set` });
      } else set.push([field.data, value]);
    }
    if (Object.keys(block.set).length === 0) ctx.addIssue({ code: "custom", path: ["set"], message: "set at least one call profile field" });
    return { type: block.type, set, next: block.next };
  });

export type ProfileBlock = z.output<typeof profileBlockSchema>;

export function runProfileBlock(block: ProfileBlock, run: BlockRun): string | undefined {
  for (const [field, value] of block.set) run.profile.set(field, fillTemplate(value, run.lookup));
  return block.next;
}
