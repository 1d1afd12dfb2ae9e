// The `snmp:` block of the configuration: trap/inform destinations, flood damping, queue thresholds and the
// SNMP agent (the settings of the Windows SNMP service the manual describes: contact, location, accepted
// communities with permissions, accepted hosts, authentication traps). Secrets may be written as ${ENV_VAR}.
import { z } from "zod";
import { durationMs } from "../cti/config/duration.js";
import { secretString } from "../cti/config/secret-string.js";

const ipv4 = z.string().ip({ version: "v4", message: "must be an IPv4 address" });
const port = z.number().int().min(1).max(65535);

const secret = secretString();

const usmUserSchema = z
  .object({
    name: z.string().min(1).max(32),
    level: z.enum(["authNoPriv", "authPriv"]).default("authPriv"),
    authProtocol: z.enum(["sha", "sha224", "sha256", "sha384", "sha512"]).default("sha"),
    /** At least 8 characters (RFC 3414). */
    authKey: secret.refine((k) => k.length >= 8, "authKey must be at least 8 characters"),
    /** AES-128 (aes) by default; DES is not offered (Node 17+ needs the legacy OpenSSL provider for it). */
    privProtocol: z.enum(["aes", "aes256b", "aes256r"]).default("aes"),
    privKey: secret.refine((k) => k.length >= 8, "privKey must be at least 8 characters").optional(),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.level === "authPriv" && !u.privKey) ctx.addIssue({ code: "custom", path: ["privKey"], message: "authPriv needs a privKey" });
  });

export const snmpDestinationSchema = z
  .object({
    /** Shown in logs and stats; defaults to host:port. */
    name: z.string().min(1).max(64).optional(),
    host: ipv4,
    port: port.default(162),
    version: z.enum(["v1", "v2c", "v3"]).default("v2c"),
    /** trap: sent once, unconfirmed. inform: acknowledged, retried, queued while the manager is down (v2c/v3 only). */
    mode: z.enum(["trap", "inform"]).default("trap"),
    /** v1 and v2c. */
    community: secret.optional(),
    /** v3. */
    user: usmUserSchema.optional(),
    /** Informs: wait for the acknowledgement this long before the first resend. */
    timeout: durationMs.default(2000),
    /** Informs: resends per attempt, each waiting `backoff` times longer than the one before. */
    retries: z.number().int().min(0).max(10).default(2),
    backoff: z.number().min(1).max(10).default(2),
    /** Informs: how many may wait while the manager is unreachable; when full the oldest is dropped. */
    queueSize: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Informs: how many may be unacknowledged at once while the manager answers. */
    maxInFlight: z.number().int().min(1).max(1000).default(64),
    /** Informs: first and longest pause between delivery attempts while the manager is unreachable. */
    retryInterval: durationMs.default(5000),
    maxRetryInterval: durationMs.default(60_000),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.version === "v3" && !d.user) ctx.addIssue({ code: "custom", path: ["user"], message: "a v3 destination needs a user" });
    if (d.version !== "v3" && d.user) ctx.addIssue({ code: "custom", path: ["user"], message: "user is for v3 destinations only" });
    if (d.version !== "v3" && !d.community) ctx.addIssue({ code: "custom", path: ["community"], message: `a ${d.version} destination needs a community` });
    if (d.version === "v1" && d.mode === "inform") ctx.addIssue({ code: "custom", path: ["mode"], message: "SNMPv1 has no informs: use v2c or v3" });
    if (d.maxRetryInterval < d.retryInterval) ctx.addIssue({ code: "custom", path: ["maxRetryInterval"], message: "maxRetryInterval must be at least retryInterval" });
  });

export const snmpAgentSchema = z
  .object({
    enabled: z.boolean().default(false),
    address: ipv4.default("127.0.0.1"),
    /** 0 picks a free port (tests); SNMP's standard port is 161. */
    port: z.number().int().min(0).max(65535).default(161),
    /** sysDescr; default "ctibridge VERSION ...". */
    description: z.string().max(255).optional(),
    /** sysContact and sysLocation, as on the Agent tab of the Windows SNMP service. */
    contact: z.string().max(255).default(""),
    location: z.string().max(255).default(""),
    /** Accepted community names with their permission; none = requests from it are refused. */
    communities: z
      .array(z.object({ name: secret, access: z.enum(["none", "readOnly"]).default("readOnly") }).strict())
      .default([]),
    /** "Only accept SNMP packets from these hosts"; empty = accept from any host. */
    acceptHosts: z.array(ipv4).default([]),
    /** Send an authentication trap for a bad community or a host not accepted. */
    authenticationTraps: z.boolean().default(true),
  })
  .strict()
  .default({});

const queueThresholdSchema = z
  .object({
    /** A service group name, or "*" for every service group without its own entry. */
    serviceGroup: z.string().min(1),
    /** Raise when this many calls wait (cleared when fewer wait). */
    waitingCalls: z.number().int().min(1).optional(),
    /** Raise when the longest-waiting call has waited this long. */
    longestWait: durationMs.optional(),
  })
  .strict()
  .refine((t) => t.waitingCalls !== undefined || t.longestWait !== undefined, { message: "give waitingCalls or longestWait" });

const snmpConfigObject = z
  .object({
    enabled: z.boolean().default(true),
    /** secEventHost and the v1 agent-addr; defaults to the host name and its first non-loopback IPv4 address. */
    hostname: z.string().min(1).max(255).optional(),
    agentAddress: ipv4.optional(),
    /** SNMPv3 engine ID (hex, 5-32 octets) of the notification originator; default derived from the host name,
     * so it stays the same across restarts and receivers can pin it (`createUser -e`). */
    engineID: z
      .string()
      .regex(/^(0x)?([0-9a-fA-F]{2}){5,32}$/, "must be 5-32 octets in hex")
      .transform((s) => s.replace(/^0x/, "").toLowerCase())
      .optional(),
    destinations: z.array(snmpDestinationSchema).default([]),
    /** Flood damping: at most `maxPerWindow` notifications per alarm key in any `window`; 0 disables. */
    damping: z
      .object({ window: durationMs.default(60_000), maxPerWindow: z.number().int().min(0).default(5) })
      .strict()
      .default({}),
    /** Queue thresholds watched by polling the service groups. */
    queueThresholds: z.array(queueThresholdSchema).default([]),
    queuePollInterval: durationMs.default(5000),
    agent: snmpAgentSchema,
  })
  .strict();

export type SnmpConfig = z.output<typeof snmpConfigObject>;
/** The schema the daemon mounts as `snmp: snmpConfigSchema.default({})`. */
export const snmpConfigSchema: z.ZodType<SnmpConfig, z.ZodTypeDef, unknown> = snmpConfigObject;
export type SnmpDestinationConfig = z.output<typeof snmpDestinationSchema>;
export type SnmpAgentConfig = z.output<typeof snmpAgentSchema>;
export type SnmpQueueThresholdConfig = z.output<typeof queueThresholdSchema>;
