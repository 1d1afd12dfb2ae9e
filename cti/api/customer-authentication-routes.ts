// Customer authentication through the Open Interface (manual: "Using Customer Authentication with Phone Agents"):
//   POST /calls/{callId}/deflect-phone-agent-call   DeflectPhoneAgentCall: send the phone agent's caller to the
//                                                    authentication number; the agent stays reserved (Talking)
//   PUT  /agents/{logonId}/ivr-data                  SetAgentIVRData: the associated data delivered with the caller
//                                                    returning to the agent (e.g. whether authentication succeeded)
import type { FastifyInstance } from "fastify";
import { Errors } from "../errors.js";
import { errorResponses } from "./error-reply.js";
import { callIdParams, logonIdParams } from "./schemas.js";

/** What the routes need of the call distributor. */
export interface CustomerAuthenticationControl {
  divertToAuthentication(callId: string, via: "transfer" | "featureCode" | "api"): Promise<void>;
  setAgentIvrData(logonId: string, data: string): { callId: string };
  readonly authenticationNumber: string | undefined;
}

const divertedSchema = {
  type: "object",
  required: ["callId", "newDestination"],
  properties: {
    callId: { type: "string" },
    newDestination: { type: "string", description: "customerAuthentication.number, as in the call.diverted event." },
  },
} as const;

const ivrDataBody = {
  type: "object",
  required: ["associatedData"],
  additionalProperties: false,
  properties: {
    associatedData: {
      type: "string",
      maxLength: 1024,
      description: "Delivered with the returned call (X-CTI-Associated-Data, call.delivered / call.established, GET /calls) unless the script's deflect block gives its own.",
    },
  },
} as const;

export function registerCustomerAuthenticationRoutes(server: FastifyInstance, control: CustomerAuthenticationControl): void {
  server.post<{ Params: { callId: string } }>("/calls/:callId/deflect-phone-agent-call", {
    schema: {
      tags: ["calls"],
      summary: "DeflectPhoneAgentCall: send the caller to customer authentication; the agent stays reserved",
      description:
        "The call must be a conversation between a caller and a phone agent. The agent's leg is released, the agent " +
        "stays in talking and gets no other call, the caller runs the authentication number's script with the agent's " +
        "extension in the private data, until a deflect block returns it to the agent or customerAuthentication.reserveTimeout runs out.",
      params: callIdParams,
      response: { 200: divertedSchema, ...errorResponses(Errors.CALL_NOT_FOUND, Errors.CALL_NOT_IN_CONVERSATION, Errors.CUSTOMER_AUTH_NOT_CONFIGURED, Errors.SCRIPT_INVALID) },
    },
  }, async (request) => {
    await control.divertToAuthentication(request.params.callId, "api");
    return { callId: request.params.callId, newDestination: control.authenticationNumber! };
  });

  server.put<{ Params: { logonId: string }; Body: { associatedData: string } }>("/agents/:logonId/ivr-data", {
    schema: {
      tags: ["agents"],
      summary: "SetAgentIVRData: associated data for the caller the agent waits for at customer authentication",
      params: logonIdParams,
      body: ivrDataBody,
      response: {
        200: { type: "object", required: ["callId"], properties: { callId: { type: "string" } } },
        ...errorResponses(Errors.AGENT_NOT_WAITING_FOR_CALLER, Errors.CUSTOMER_AUTH_NOT_CONFIGURED),
      },
    },
  }, async (request) => control.setAgentIvrData(request.params.logonId, request.body.associatedData));
}
