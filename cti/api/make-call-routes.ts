// MakeCall: an integration has the bridge place a call for an agent (POST /agents/{logonId}/calls). The agent's
// phone rings first; when the agent answers, the destination is called with the caller ID the rules allow
// (cti/calls/caller-id.ts). The call then shows in GET /calls with direction "outbound".
import type { FastifyInstance } from "fastify";
import type { MakeCallRequest } from "../calls/make-call.js";
import { Errors } from "../errors.js";
import type { AcdView, CallView } from "./acd-view.js";
import { errorResponses } from "./error-reply.js";
import { logonIdParams, ref } from "./schemas.js";

/** What the routes need of the MakeCall service. */
export interface AgentCalls {
  makeCall(request: MakeCallRequest): Promise<CallView>;
  calls(): CallView[];
}

export interface MakeCallBody {
  destination: string;
  callerId?: string;
  serviceGroup?: string;
}

export const makeCallBody = {
  type: "object",
  required: ["destination"],
  additionalProperties: false,
  properties: {
    destination: {
      type: "string",
      minLength: 1,
      maxLength: 32,
      pattern: "^[0-9*#+]+$",
      description: "The number to call, sent as given: the bridge does no number translation.",
    },
    callerId: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description:
        "A custom caller ID by name (callerIds[].name). Without it, the default of the call's kind (the service " +
        "group's, or system.privateCallerId) applies. Another one than the default only where agentMaySelect is true.",
    },
    serviceGroup: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "The service group the call is made for: its caller ID settings apply. Without it, a private call.",
    },
  },
} as const;

const tags = ["agents"];

export function registerMakeCallRoutes(server: FastifyInstance, calls: AgentCalls): void {
  server.post<{ Params: { logonId: string }; Body: MakeCallBody }>("/agents/:logonId/calls", {
    schema: {
      tags,
      summary: "MakeCall: ring the agent's phone, then call the destination with the agent's caller ID",
      description:
        "The agent must be idle (ready or not ready). Its phone rings with the destination as the caller; when it " +
        "answers, the bridge calls the destination through the agent's call manager — on OAS with the caller ID " +
        "string in front of the number, on TAS with the caller ID in From and P-Asserted-Identity — and joins the " +
        "two. The agent is reserved, then talking, and afterwards back in the idle state it had. Not answered within " +
        "the system ring time: the call is given up. Answers 201 as soon as the agent's phone is being called.",
      params: logonIdParams,
      body: makeCallBody,
      response: {
        201: ref("CallView"),
        ...errorResponses(
          Errors.AGENT_NOT_LOGGED_ON,
          Errors.AGENT_STATE,
          Errors.SERVICE_GROUP_UNKNOWN,
          Errors.CALLER_ID_UNKNOWN,
          Errors.CALLER_ID_NOT_ALLOWED,
          Errors.CALL_MANAGER_UNKNOWN,
          Errors.MEDIA_PORTS_EXHAUSTED,
          Errors.SIP_TRANSPORT,
        ),
      },
    },
  }, async (request, reply) => {
    const view = await calls.makeCall({ logonId: request.params.logonId, ...request.body });
    return reply.status(201).send(view);
  });
}

/** The Open Interface's view of calls with the calls agents make added after the ACD's own. */
export function withAgentMadeCalls(acd: AcdView, agentCalls: AgentCalls): AcdView {
  return {
    calls: () => [...acd.calls(), ...agentCalls.calls()],
    serviceGroups: () => acd.serviceGroups(),
  };
}
