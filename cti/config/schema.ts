// The configuration schema: what administrators design (call managers, sites, BVDs, scripts, system options).
// The directory (users, PINs) and run-time state live in the database, not here. Every key is documented in
// cti/config/demo.yaml; unknown keys and wrong types are errors.
import { z } from "zod";
import { durationMs } from "./duration.js";
import { secretString } from "./secret-string.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";

const ipv4 = z.string().ip({ version: "v4", message: "must be an IPv4 address" });
const port = z.number().int().min(1).max(65535);
const number = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => /^[0-9*#+]{1,32}$/.test(v), { message: "must be a dial string of digits, * or # (1-32 characters)" });
const identifier = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '.' or '-'");

export const callManagerSchema = z
  .object({
    id: identifier,
    name: z.string().min(1),
    site: identifier,
    /** OAS: caller ID prepended to the dialled number; TAS: caller ID sent whole. */
    type: z.enum(["OAS", "TAS"]),
    host: ipv4,
    port: port.default(5060),
    transport: z.enum(["udp", "tcp"]).default("udp"),
    keepalive: z
      .object({
        /** How often an OPTIONS is sent to the call manager. */
        interval: durationMs.default(5000),
        /** How long to wait for its answer before the link is considered down. */
        timeout: durationMs.default(1000),
      })
      .strict()
      .default({}),
  })
  .strict();

export const bvdSchema = z
  .object({
    number,
    /** What a call to this number does. */
    kind: z.enum(["logon", "logoff", "ready", "notReady", "serviceAccess"]),
    /** The IVR script the call runs; logon/logoff/ready/notReady default to the built-in phone agent scripts. */
    script: identifier.optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((bvd, ctx) => {
    if (bvd.kind === "serviceAccess" && !bvd.script) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["script"], message: "a serviceAccess BVD needs a script" });
    }
  });

export const configSchema = z
  .object({
    system: z
      .object({
        tenantId: z.number().int().default(-1),
        /** Tenant system property "Automatically Restore Logon Status After Restart". */
        restorePhoneAgents: z.boolean().default(true),
        /** Failed PIN attempts that lock an account (0 = never lock). */
        lockoutThreshold: z.number().int().min(0).max(100).default(5),
        /** Attempts at ID and PIN within one call before the bridge hangs up. */
        logonAttemptsPerCall: z.number().int().min(1).max(10).default(3),
        /** State of a phone agent right after logging on by dialing or through the API. */
        stateAfterLogon: z.enum(["ready", "notReady"]).default("ready"),
        /** Prompt language: a folder under ivr/prompts. */
        language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default("en"),
      })
      .strict()
      .default({}),
    sip: z
      .object({
        address: ipv4.default("127.0.0.1"),
        port: port.default(5080),
        transports: z.array(z.enum(["udp", "tcp"])).min(1).default(["udp", "tcp"]),
        /** Addresses other than the call managers allowed to send requests (recorders, test tools). */
        trustedPeers: z.array(ipv4).default([]),
      })
      .strict()
      .default({}),
    media: z
      .object({
        address: ipv4.default("127.0.0.1"),
        portMin: port.default(20000),
        portMax: port.default(20999),
      })
      .strict()
      .refine((m) => m.portMax > m.portMin, { message: "portMax must be above portMin", path: ["portMax"] })
      .default({}),
    http: z
      .object({
        address: ipv4.default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(12613),
        /** Bearer tokens accepted by the Open Interface; none = no authentication (loopback only). */
        tokens: z.array(z.string().min(16, "tokens must be at least 16 characters")).default([]),
      })
      .strict()
      .default({}),
    store: z
      .object({
        kind: z.enum(["sqlite", "mssql"]).default("sqlite"),
        /** SQLite file name inside the data directory. */
        file: z.string().default("ctibridge.sqlite"),
        /** SQL Server connection string; use ${ENV_VAR} to keep the password out of the file. */
        url: secretString().optional(),
        /** How often the database connection is probed (failures raise store.connectionFailed). */
        healthCheckInterval: durationMs.default(10_000),
      })
      .strict()
      .default({}),
    sites: z.array(z.object({ id: identifier, name: z.string().min(1) }).strict()).min(1),
    callManagers: z.array(callManagerSchema).min(1),
    bvds: z.array(bvdSchema).default([]),
    scripts: z
      .object({
        /** Extra folders searched for scripts (NAME.yaml) before the built-in ones. */
        directories: z.array(z.string()).default([]),
      })
      .strict()
      .default({}),
    /** SNMP traps/informs and the SNMP agent (see README "SNMP for NOC staff"). */
    snmp: snmpConfigSchema.default({}),
    logging: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info") }).strict().default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const siteIds = new Set(cfg.sites.map((s) => s.id));
    const seen = new Set<string>();
    cfg.callManagers.forEach((cm, i) => {
      if (!siteIds.has(cm.site)) ctx.addIssue({ code: "custom", path: ["callManagers", i, "site"], message: `unknown site "${cm.site}"` });
      if (seen.has(cm.id)) ctx.addIssue({ code: "custom", path: ["callManagers", i, "id"], message: `duplicate call manager id "${cm.id}"` });
      seen.add(cm.id);
    });
    const numbers = new Set<string>();
    cfg.bvds.forEach((b, i) => {
      if (numbers.has(b.number)) ctx.addIssue({ code: "custom", path: ["bvds", i, "number"], message: `duplicate BVD number ${b.number}` });
      numbers.add(b.number);
    });
    if (cfg.store.kind === "mssql" && !cfg.store.url) ctx.addIssue({ code: "custom", path: ["store", "url"], message: "mssql needs a url" });
  });

export type Config = z.output<typeof configSchema>;
export type CallManagerConfig = z.output<typeof callManagerSchema>;
export type BvdConfig = z.output<typeof bvdSchema>;
