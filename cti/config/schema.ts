// The configuration schema: what administrators design (call managers, sites, BVDs, scripts, system options).
// The directory (users, PINs) and run-time state live in the database, not here. Every key is documented in
// cti/config/demo.yaml; unknown keys and wrong types are errors.
import { z } from "zod";
import { durationMs } from "./duration.js";
import { secretString } from "./secret-string.js";
import { snmpConfigSchema } from "../../snmp/snmp-config.js";
import { dataSourcesSchema } from "../../ivr/blocks/data-source-config.js";
import { recordingConfigSchema } from "../recording/recording-config.js";
import { callerIdConfigProblems } from "../calls/caller-id.js";
import { DEFAULT_MAX_WAIT_PERSONAL_MS, personalRoutingConfigProblems } from "../calls/personal-routing/personal-routing-config.js";
import { customerAuthenticationConfigProblems, customerAuthenticationSchema } from "../calls/customer-authentication/customer-authentication-config.js";
import { attendantSettingsSchema } from "../calls/agent-transfer/attendant-config.js";

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
    /** serviceAccess only: the service access (serviceAccesses[].id) the number leads to, instead of a script. */
    serviceAccess: identifier.optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((bvd, ctx) => {
    if (bvd.kind === "serviceAccess" && !bvd.script === !bvd.serviceAccess) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["serviceAccess"], message: "a serviceAccess BVD needs either a serviceAccess or a script, not both" });
    }
    if (bvd.kind !== "serviceAccess" && bvd.serviceAccess) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["serviceAccess"], message: `a ${bvd.kind} BVD cannot lead to a service access` });
    }
  });

/** Where a call goes when it leaves a queue (overflow after the maximum wait, or a closed group). Exactly one key. */
export const destinationSchema = z.union([
  z.object({ serviceGroup: identifier }).strict(),
  z.object({ script: identifier }).strict(),
  z.object({ number }).strict(),
  /** Play this prompt, then hang up. */
  z.object({ prompt: z.string().min(1) }).strict(),
]);

/** Custom caller ID ("Caller ID for Outgoing Calls"): a name agents and integrations use, and the string sent. */
export const customCallerIdSchema = z
  .object({
    name: z.string().min(1).max(64),
    /** OAS: prepended to the dialled number; TAS: sent whole in From and P-Asserted-Identity. */
    callerId: number,
  })
  .strict();

/** Which custom caller ID a kind of outgoing call uses, and whether the agent may select a different one. */
export const callerIdSelectionSchema = z
  .object({
    /** A callerIds[].name; without it, calls go out with the agent's own number. */
    default: z.string().min(1).max(64).optional(),
    agentMaySelect: z.boolean().default(false),
  })
  .strict();

const skilledAgent = z.union([
  number.transform((logonId) => ({ logonId, level: 1 })),
  z.object({ logonId: number, level: z.number().int().min(1).max(10).default(1) }).strict(),
]);

export const serviceGroupSchema = z
  .object({
    id: identifier,
    name: z.string().min(1).optional(),
    /** voice: calls are offered to agents (ACD); manualRouting ("Voice – Manual Routing"): calls wait in the dispatch queue. */
    type: z.enum(["voice", "manualRouting"]).default("voice"),
    /** manualRouting only: the group takes personal calls, routed to the agent whose personal number was called. */
    personalCalls: z.boolean().default(false),
    /** Maximum Wait Time for Personal Call: how long a personal call waits for its busy agent. */
    maxWaitPersonal: durationMs.default(DEFAULT_MAX_WAIT_PERSONAL_MS),
    /** Ring time supervision: an offered agent who does not answer within it is set not ready and the call requeued. */
    ringTime: durationMs.optional(),
    /** Clerical (wrap-up) time after each call before the agent is offered the next one. */
    clericalTime: durationMs.default(0),
    /** The group is open when at least one member is logged on, or at least one member is ready. */
    openWhen: z.enum(["loggedOn", "ready"]).default("loggedOn"),
    /** Who serves the group: "*" for every agent, or logon IDs with an optional skill level (1-10, higher first). */
    agents: z.union([z.literal("*"), z.array(skilledAgent).min(1)]),
    /** Played once when the call is queued. */
    welcomePrompt: z.string().min(1).optional(),
    /** Looped while waiting; null for silence. */
    music: z.string().min(1).nullable().default("music-on-hold"),
    /** Periodic announcement of the queue position and the estimated wait. */
    announcement: z
      .object({
        interval: durationMs.default(30_000),
        position: z.boolean().default(true),
        estimatedWait: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Longest a caller waits in the queue before the overflow destination (0 = no limit). */
    maxWait: durationMs.default(0),
    overflow: destinationSchema.optional(),
    /** What a caller to a closed group gets (default: the queue-closed prompt, then hang up). */
    closed: destinationSchema.default({ prompt: "queue-closed" }),
    /** Caller ID of outgoing calls agents make for this group. */
    callerId: callerIdSelectionSchema.default({}),
    /** An attendant group: its agents' transfers recall on busy, no answer, invalid number (top-level `attendant`). */
    attendant: z.boolean().default(false),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.maxWait > 0 && !g.overflow) ctx.addIssue({ code: "custom", path: ["overflow"], message: "maxWait needs an overflow destination" });
    if (g.overflow && "serviceGroup" in g.overflow && g.overflow.serviceGroup === g.id) {
      ctx.addIssue({ code: "custom", path: ["overflow", "serviceGroup"], message: "a group cannot overflow to itself" });
    }
  });

export const serviceAccessSchema = z
  .object({
    id: identifier,
    name: z.string().min(1).optional(),
    /** The service group calls through this access queue in. */
    serviceGroup: identifier,
    /** Queue priority of these calls: higher is served first (default 0). */
    priority: z.number().int().min(0).max(100).default(0),
  })
  .strict();

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
        /** Ring time supervision for service group calls, unless the group sets its own. */
        ringTimeSupervision: durationMs.default(20_000),
        /** When a TAS call manager fails and no other of its site is up, its phone agents are tried again this often. */
        failoverRetry: durationMs.default(30_000),
        /** Prompt language: a folder under ivr/prompts. */
        language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default("en"),
        /** Caller ID of private outgoing calls (no service group). */
        privateCallerId: callerIdSelectionSchema.default({}),
        /** System default destination of personal calls an agent's own default destination did not take. */
        defaultDestination: number.optional(),
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
    serviceAccesses: z.array(serviceAccessSchema).default([]),
    serviceGroups: z.array(serviceGroupSchema).default([]),
    /** The tenant's custom caller IDs for outgoing calls. */
    callerIds: z.array(customCallerIdSchema).default([]),
    /** Customer authentication divert-and-return (cti/calls/customer-authentication/); absent: off. */
    customerAuthentication: customerAuthenticationSchema.optional(),
    /** Attendant transfer settings (cti/calls/agent-transfer/attendant-config.ts), for groups with `attendant: true`. */
    attendant: attendantSettingsSchema.default({}),
    scripts: z
      .object({
        /** Extra folders searched for scripts (NAME.yaml) before the built-in ones. */
        directories: z.array(z.string()).default([]),
      })
      .strict()
      .default({}),
    /** Recording URIs for recorders (MIR Media Integration) and the recording mode (cti/recording/). */
    recording: recordingConfigSchema.default({}),
    /** Databases IVR scripts query with `query` blocks (ivr/blocks/data-source-config.ts). */
    dataSources: dataSourcesSchema,
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
    const groupIds = new Set<string>();
    cfg.serviceGroups.forEach((g, i) => {
      if (groupIds.has(g.id)) ctx.addIssue({ code: "custom", path: ["serviceGroups", i, "id"], message: `duplicate service group id "${g.id}"` });
      groupIds.add(g.id);
    });
    cfg.serviceGroups.forEach((g, i) => {
      for (const key of ["overflow", "closed"] as const) {
        const d = g[key];
        if (d && "serviceGroup" in d && !groupIds.has(d.serviceGroup)) {
          ctx.addIssue({ code: "custom", path: ["serviceGroups", i, key, "serviceGroup"], message: `unknown service group "${d.serviceGroup}"` });
        }
      }
    });
    const accessIds = new Set<string>();
    cfg.serviceAccesses.forEach((a, i) => {
      if (accessIds.has(a.id)) ctx.addIssue({ code: "custom", path: ["serviceAccesses", i, "id"], message: `duplicate service access id "${a.id}"` });
      accessIds.add(a.id);
      if (!groupIds.has(a.serviceGroup)) ctx.addIssue({ code: "custom", path: ["serviceAccesses", i, "serviceGroup"], message: `unknown service group "${a.serviceGroup}"` });
    });
    cfg.bvds.forEach((b, i) => {
      if (b.serviceAccess && !accessIds.has(b.serviceAccess)) ctx.addIssue({ code: "custom", path: ["bvds", i, "serviceAccess"], message: `unknown service access "${b.serviceAccess}"` });
    });
    for (const problem of callerIdConfigProblems(cfg)) ctx.addIssue({ code: "custom", ...problem });
    for (const problem of personalRoutingConfigProblems(cfg)) ctx.addIssue({ code: "custom", ...problem });
    for (const problem of customerAuthenticationConfigProblems(cfg)) ctx.addIssue({ code: "custom", ...problem });
    if (cfg.store.kind === "mssql" && !cfg.store.url) ctx.addIssue({ code: "custom", path: ["store", "url"], message: "mssql needs a url" });
  });

export type Config = z.output<typeof configSchema>;
export type CallManagerConfig = z.output<typeof callManagerSchema>;
export type BvdConfig = z.output<typeof bvdSchema>;
export type DestinationConfig = z.output<typeof destinationSchema>;
export type ServiceGroupConfig = z.output<typeof serviceGroupSchema>;
export type ServiceAccessConfig = z.output<typeof serviceAccessSchema>;
export type CustomCallerIdConfig = z.output<typeof customCallerIdSchema>;
export type CallerIdSelectionConfig = z.output<typeof callerIdSelectionSchema>;
