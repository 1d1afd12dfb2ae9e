// Secrets in the configuration (database passwords, SNMP communities and keys) may be written as ${ENV_VAR}, so the
// file itself can be shared without them. An unset variable is a configuration error at its line.
import { z } from "zod";

/** A secret that may be written as ${ENV_VAR} (whole or in part); an unset variable is a config error. */
export function secretString(env: NodeJS.ProcessEnv = process.env) {
  return z
    .string()
    .min(1)
    .transform((value, ctx) => {
      const missing: string[] = [];
      const expanded = value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
        const v = env[name];
        if (v === undefined) missing.push(name);
        return v ?? "";
      });
      for (const name of missing) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `environment variable ${name} is not set` });
      return missing.length > 0 ? z.NEVER : expanded;
    });
}

