// Attendant transfer settings: the manual's "Attendant Agent Advanced Configuration" (SeCCfg → Router tab), with its
// defaults, plus the two values the manual leaves to the call manager and the service group: the bypass diversion
// access code and the attendant no-answer time. Service groups opt in with `attendant: true`.
import { z } from "zod";
import { durationMs } from "../../config/duration.js";

const dialString = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => /^[0-9*#+]{1,32}$/.test(v), { message: "must be a dial string of digits, * or # (1-32 characters)" });

/** The manual's PendingAgentTransferDelay default (30 s). */
export const DEFAULT_PENDING_AGENT_TRANSFER_DELAY_MS = 30_000;

export const attendantSettingsSchema = z
  .object({
    /** "Use Bypass Diversion for Attendant Transfers" (default on; TAS call managers only). */
    bypassDiversion: z.boolean().default(true),
    /** The call manager's bypass diversion access code, put before the target number; without it nothing is added. */
    bypassDiversionCode: dialString.optional(),
    /** "Divert Calls with Maintain Queue" (default on): the call recalls if the target does not answer in noAnswerTime. */
    maintainQueue: z.boolean().default(true),
    /** "Do not Transfer to Busy Destination" (default off): wait until the target is idle. */
    doNotTransferToBusy: z.boolean().default(false),
    /** "Force Transfer Order" (default off): transfers to one target go in the order they were made. */
    forceTransferOrder: z.boolean().default(false),
    /** PendingAgentTransferDelay: how long a recalled call keeps its turn at the target (default 30 s). */
    pendingAgentTransferDelay: durationMs.default(DEFAULT_PENDING_AGENT_TRANSFER_DELAY_MS),
    /** "Exception List for Attendant Transfer": targets called without maintain queue (no recall on no answer). */
    exceptionList: z.array(dialString).default([]),
    /** No answer (or no idle target) within this time → recall to the attendant agent (default 30 s). */
    noAnswerTime: durationMs.default(30_000),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.doNotTransferToBusy && a.forceTransferOrder) {
      ctx.addIssue({ code: "custom", path: ["forceTransferOrder"], message: "forceTransferOrder and doNotTransferToBusy cannot both be on (the manual: mutually exclusive)" });
    }
  });

export type AttendantSettings = z.output<typeof attendantSettingsSchema>;
