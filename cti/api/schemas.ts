// JSON schemas of the Open Interface: what every route accepts and answers. Fastify validates requests with them
// (a mismatch is CTI_ERR_BAD_REQUEST), serializes answers with them, and @fastify/swagger turns them into the
// OpenAPI document. Shared shapes are registered once by $id and appear under components.schemas.
import type { FastifyInstance } from "fastify";
import type { AgentState } from "../agents/agent-state.js";

export const AGENT_STATES = [
  "loggedOff", "idleReady", "idleNotReady", "reserved", "talking", "callWaiting", "callback", "clerical",
] as const satisfies readonly AgentState[];
// Compile-time check that the list names every state.
const everyStateListed: Exclude<AgentState, (typeof AGENT_STATES)[number]> extends never ? true : false = true;
void everyStateListed;

/** What an extension may look like: it ends up in a SIP URI, so no spaces, '@', ';' or ':'. */
const extension = { type: "string", minLength: 1, maxLength: 32, pattern: "^[0-9A-Za-z+*#._-]+$" } as const;
const id = { type: "string", minLength: 1, maxLength: 100 } as const;
const isoTime = { type: "string", format: "date-time" } as const;

export const agentViewSchema = {
  $id: "AgentView",
  type: "object",
  description: "A logged-on agent.",
  required: ["logonId", "extension", "callManager", "state", "stateSince", "loggedOnAt"],
  properties: {
    logonId: { type: "string" },
    extension: { type: "string" },
    callManager: { type: "string", description: "The id of the call manager the agent's phone is reached through." },
    state: { type: "string", enum: AGENT_STATES.filter((s) => s !== "loggedOff") },
    stateSince: isoTime,
    loggedOnAt: isoTime,
    notReadyReason: { type: "string", description: "The reason given with the last not-ready change." },
  },
} as const;

export const callViewSchema = {
  $id: "CallView",
  type: "object",
  description: "A call the ACD holds: waiting in a queue, ringing at an agent or talking.",
  required: ["callId", "dialed", "caller", "serviceAccess", "serviceGroup", "state", "arrivedAt", "waitMs"],
  properties: {
    callId: { type: "string", description: "The caller leg's SIP Call-ID." },
    dialed: { type: "string", description: "The BVD the caller dialed." },
    caller: {
      type: "object",
      required: ["number"],
      properties: { number: { type: "string" }, name: { type: "string" } },
    },
    serviceAccess: { type: "string" },
    serviceGroup: { type: "string" },
    state: { type: "string", enum: ["queued", "ringing", "dialing", "talking", "authenticating", "routed"], description: "dialing: a call an agent made, the destination ringing; authenticating: at customer authentication, its agent reserved; routed: out of the queue on its way elsewhere (an overflow or closed-group destination, a transfer the bridge is placing)." },
    direction: { type: "string", enum: ["inbound", "outbound"], description: "outbound: a call an agent made (MakeCall); dialed is the destination." },
    position: { type: "integer", minimum: 1, description: "1-based place in the group's queue while queued." },
    logonId: { type: "string", description: "The agent ringing or talking." },
    extension: { type: "string" },
    arrivedAt: isoTime,
    answeredAt: isoTime,
    waitMs: { type: "integer", minimum: 0, description: "Queue and ringing time together." },
    associatedData: { type: "string", description: "Associated data of a caller returned from customer authentication (deflect with data, SetAgentIVRData)." },
  },
} as const;

export const serviceGroupViewSchema = {
  $id: "ServiceGroupView",
  type: "object",
  description: "A service group's queue and agents now.",
  required: ["id", "name", "open", "waiting", "longestWaitSeconds", "estimatedWaitSeconds", "agents"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    open: { type: "boolean" },
    waiting: { type: "integer", minimum: 0 },
    longestWaitSeconds: { type: "number", minimum: 0 },
    estimatedWaitSeconds: { type: "number", minimum: 0 },
    agents: {
      type: "object",
      description: "The group's agents per state.",
      required: [...AGENT_STATES],
      properties: Object.fromEntries(AGENT_STATES.map((s) => [s, { type: "integer", minimum: 0 }])),
    },
  },
} as const;

const linkState = { type: "string", enum: ["unknown", "up", "down"] } as const;

export const healthSchema = {
  $id: "Health",
  type: "object",
  required: ["status", "version", "uptimeSeconds", "callManagers", "media", "activeCalls", "sip", "agentsLoggedOn"],
  properties: {
    status: { type: "string", enum: ["ok", "degraded"], description: "ok when every call manager link is up." },
    version: { type: "string" },
    uptimeSeconds: { type: "integer" },
    callManagers: {
      type: "array",
      items: { type: "object", required: ["id", "name", "state"], properties: { id: { type: "string" }, name: { type: "string" }, state: linkState } },
    },
    media: {
      type: "object",
      required: ["portsTotal", "portsFree"],
      properties: { portsTotal: { type: "integer" }, portsFree: { type: "integer" } },
      additionalProperties: true,
    },
    activeCalls: { type: "integer" },
    sip: {
      type: "object",
      required: ["retransmissions", "malformed", "forbidden"],
      properties: { retransmissions: { type: "integer" }, malformed: { type: "integer" }, forbidden: { type: "integer" } },
      additionalProperties: true,
    },
    agentsLoggedOn: { type: "integer" },
  },
} as const;

/** Registers the shared shapes; routes refer to them as { $ref: "AgentView#" }. */
export function addSharedSchemas(server: FastifyInstance): void {
  for (const schema of [agentViewSchema, callViewSchema, serviceGroupViewSchema, healthSchema]) server.addSchema(schema);
}

export const ref = (name: "AgentView" | "CallView" | "ServiceGroupView" | "Health") => ({ $ref: `${name}#` }) as const;

export const logonIdParams = {
  type: "object",
  required: ["logonId"],
  additionalProperties: false,
  properties: { logonId: { ...id, description: "The agent's logon ID (agent number)." } },
} as const;

export const callIdParams = {
  type: "object",
  required: ["callId"],
  additionalProperties: false,
  properties: { callId: { type: "string", minLength: 1, maxLength: 256, description: "The call's id (percent-encoded)." } },
} as const;

export const serviceGroupParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { ...id, description: "The service group's id." } },
} as const;

export interface LogonBody {
  extension: string;
  callManager?: string;
  site?: string;
}

export const logonBody = {
  type: "object",
  required: ["extension"],
  additionalProperties: false,
  description:
    "Where the agent logs on. With callManager: the least used TAS call manager of its site; with site: the least used " +
    "TAS call manager of that site; with neither: the least used of the first configured call manager's site.",
  properties: {
    extension: { ...extension, description: "The extension (phone number) the agent works at." },
    callManager: { ...id, description: "A configured call manager id." },
    site: { ...id, description: "A configured site id." },
  },
} as const;

export interface NotReadyBody {
  reason?: string;
}

export const notReadyBody = {
  type: "object",
  additionalProperties: false,
  properties: { reason: { type: "string", minLength: 1, maxLength: 64, description: "Shown as notReadyReason." } },
} as const;

/** Bodies of logoff and ready: nothing, or an empty object. */
export const emptyBody = { type: "object", additionalProperties: false, properties: {} } as const;
