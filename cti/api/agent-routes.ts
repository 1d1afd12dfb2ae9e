// Agents: list and look up logged-on agents; log an agent on or off and set it ready or not ready, as a supervisor
// or an integration would (the phone agent does the same by dialing; both go through PhoneAgentService).
import type { FastifyInstance } from "fastify";
import type { Agent } from "../agents/agent.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import type { CallManagerUsage } from "../agents/call-manager-selector.js";
import type { PhoneAgentService } from "../agents/phone-agent-service.js";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { User } from "../store/open-store.js";
import { errorResponses } from "./error-reply.js";
import { OPTIONAL_BODY } from "./openapi.js";
import { callManagerForLogon, usageWithout } from "./logon-call-manager.js";
import { emptyBody, logonBody, logonIdParams, notReadyBody, ref, type LogonBody, type NotReadyBody } from "./schemas.js";

export interface AgentView {
  logonId: string;
  extension: string;
  callManager: string;
  state: string;
  stateSince: string;
  loggedOnAt: string;
  notReadyReason?: string;
}

export function agentView(a: Agent): AgentView {
  return {
    logonId: a.logonId,
    extension: a.extension,
    callManager: a.callManagerId,
    state: a.state,
    stateSince: a.stateSince.toISOString(),
    loggedOnAt: a.loggedOnAt.toISOString(),
    ...(a.notReadyReason ? { notReadyReason: a.notReadyReason } : {}),
  };
}

/** The directory lookup the logon route needs (the store's users repository). */
export interface UserLookup {
  get(tenantId: number, logonId: string): Promise<User | undefined>;
}

export interface AgentRouteDeps {
  agents: AgentRegistry;
  phoneAgents: PhoneAgentService;
  users: UserLookup;
  callManagers: readonly CallManagerConfig[];
  usage: CallManagerUsage;
}

type LogonIdParams = { logonId: string };
const tags = ["agents"];

export function registerAgentRoutes(server: FastifyInstance, deps: AgentRouteDeps): void {
  const { agents, phoneAgents } = deps;
  const optionalBody = { preValidation: async (request: { body: unknown }) => void (request.body ??= {}) };

  server.get("/agents", {
    schema: {
      tags,
      summary: "Logged-on agents, by logon ID",
      response: { 200: { type: "array", items: ref("AgentView") }, ...errorResponses() },
    },
  }, async (): Promise<AgentView[]> => agents.all().sort((a, b) => a.logonId.localeCompare(b.logonId)).map(agentView));

  server.get<{ Params: LogonIdParams }>("/agents/:logonId", {
    schema: {
      tags,
      summary: "One logged-on agent",
      params: logonIdParams,
      response: { 200: ref("AgentView"), ...errorResponses(Errors.AGENT_NOT_LOGGED_ON) },
    },
  }, async (request) => {
    const agent = agents.get(request.params.logonId);
    if (!agent) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, request.params.logonId);
    return agentView(agent);
  });

  server.post<{ Params: LogonIdParams; Body: LogonBody }>("/agents/:logonId/logon", {
    schema: {
      tags,
      summary: "Log an agent on at an extension (no PIN: the token is the authority)",
      description:
        "An agent logged on elsewhere is moved; another agent at the same extension is logged off. " +
        "The agent starts ready or not ready per system.stateAfterLogon.",
      params: logonIdParams,
      body: logonBody,
      response: {
        200: ref("AgentView"),
        ...errorResponses(Errors.USER_NOT_FOUND, Errors.USER_LOCKED, Errors.CALL_MANAGER_UNKNOWN, Errors.SITE_UNKNOWN, Errors.AGENT_STATE),
      },
    },
  }, async (request) => {
    const { logonId } = request.params;
    const user = await deps.users.get(phoneAgents.settings.tenantId, logonId);
    if (!user) throw new CtiError(Errors.USER_NOT_FOUND, logonId);
    if (user.locked) throw new CtiError(Errors.USER_LOCKED, logonId);
    const callManager = callManagerForLogon(request.body, deps.callManagers, usageWithout(agents.get(logonId), deps.usage));
    return agentView(await phoneAgents.logon(user, request.body.extension, callManager.id, "api"));
  });

  server.post<{ Params: LogonIdParams }>("/agents/:logonId/logoff", {
    ...optionalBody,
    schema: {
      tags,
      summary: "Log an agent off",
      params: logonIdParams,
      body: emptyBody,
      ...OPTIONAL_BODY,
      response: { 204: { description: "Logged off", type: "null" }, ...errorResponses(Errors.AGENT_NOT_LOGGED_ON) },
    },
  }, async (request, reply) => {
    await phoneAgents.logoff(request.params.logonId, "api");
    return reply.status(204).send();
  });

  server.post<{ Params: LogonIdParams }>("/agents/:logonId/ready", {
    ...optionalBody,
    schema: {
      tags,
      summary: "Set an idle agent ready",
      params: logonIdParams,
      body: emptyBody,
      ...OPTIONAL_BODY,
      response: { 200: ref("AgentView"), ...errorResponses(Errors.AGENT_NOT_LOGGED_ON, Errors.AGENT_STATE) },
    },
  }, async (request) => {
    return agentView(await phoneAgents.setReady(request.params.logonId));
  });

  server.post<{ Params: LogonIdParams; Body: NotReadyBody }>("/agents/:logonId/notready", {
    ...optionalBody,
    schema: {
      tags,
      summary: "Set an idle agent not ready, with an optional reason",
      params: logonIdParams,
      body: notReadyBody,
      ...OPTIONAL_BODY,
      response: { 200: ref("AgentView"), ...errorResponses(Errors.AGENT_NOT_LOGGED_ON, Errors.AGENT_STATE) },
    },
  }, async (request) => {
    return agentView(await phoneAgents.setNotReady(request.params.logonId, request.body.reason));
  });
}
