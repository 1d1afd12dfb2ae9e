// Customer authentication settings (manual: "Using Customer Authentication", SeCCfg → Agent Service): the number an
// agent sends a caller to, how long the agent is reserved for the caller's return, and whether the agent's extension
// travels in the call's private data. Plus the phone agent's way to divert: a DTMF feature code on the agent leg.
import { z } from "zod";
import { durationMs } from "../../config/duration.js";

/** The manual's default for "Maximum Time to Reserve Agent" (120 s). */
export const DEFAULT_RESERVE_TIMEOUT_MS = 120_000;

const dialString = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => /^[0-9*#+]{1,32}$/.test(v), { message: "must be a dial string of digits, * or # (1-32 characters)" });

export const customerAuthenticationSchema = z
  .object({
    /** "Number to Call for Authentication": a BVD with a script; the Diverted event's newDestination is exactly this. */
    number: dialString,
    /** "Maximum Time to Reserve Agent": the caller must be back at the agent within it (default 120 s). */
    reserveTimeout: durationMs.default(DEFAULT_RESERVE_TIMEOUT_MS),
    /** "Send DN from Agent": the agent's extension goes to the script as the private data (default true). */
    sendDnFromAgent: z.boolean().default(true),
    /** Keys the agent presses during the conversation to divert the caller (RFC 4733 or SIP INFO); none by default. */
    featureCode: z
      .union([z.string(), z.number().int().nonnegative()])
      .transform((v) => String(v))
      .refine((v) => /^[0-9*#]{1,8}$/.test(v), { message: "must be 1-8 keys: digits, * or #" })
      .optional(),
  })
  .strict()
  .refine((c) => c.reserveTimeout >= 1, { message: "reserveTimeout must be at least 1ms", path: ["reserveTimeout"] });

export type CustomerAuthenticationConfig = z.output<typeof customerAuthenticationSchema>;

/** The number must be a configured BVD that runs a script (the authentication service access). */
export function customerAuthenticationConfigProblems(config: {
  customerAuthentication?: CustomerAuthenticationConfig | undefined;
  bvds: readonly { number: string; kind: string; script?: string | undefined }[];
}): { path: (string | number)[]; message: string }[] {
  const auth = config.customerAuthentication;
  if (!auth) return [];
  const bvd = config.bvds.find((b) => b.number === auth.number);
  if (!bvd) return [{ path: ["customerAuthentication", "number"], message: `no BVD ${auth.number}: add { number: ${auth.number}, kind: serviceAccess, script: NAME }` }];
  if (bvd.kind !== "serviceAccess" || !bvd.script) {
    return [{ path: ["customerAuthentication", "number"], message: `BVD ${auth.number} must be a serviceAccess BVD with a script` }];
  }
  return [];
}

/** The settings with the script of the number's BVD, for the call distributor; undefined when not configured. */
export function customerAuthenticationSetup(config: {
  customerAuthentication?: CustomerAuthenticationConfig | undefined;
  bvds: readonly { number: string; script?: string | undefined }[];
}): { config: CustomerAuthenticationConfig; script: string } | undefined {
  const auth = config.customerAuthentication;
  const script = auth && config.bvds.find((b) => b.number === auth.number)?.script;
  return auth && script ? { config: auth, script } : undefined;
}
