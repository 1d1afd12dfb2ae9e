// The Agent application's Transfer for a call the ACD holds: POST /calls/{callId}/transfer { "to": "1002" }.
// Whatever the target, the transferring agent's part of the call ends at once (its after-call state) and the bridge
// moves the caller (cti/calls/agent-transfer/agent-transfers.ts says where each kind of target leads).
import type { FastifyInstance } from "fastify";
import { Errors } from "../errors.js";
import { errorResponses } from "./error-reply.js";
import { callIdParams } from "./schemas.js";

/** What the route needs of the transfers (AgentTransfers). */
export interface TransferControl {
  transfer(callId: string, to: string, via: "api"): Promise<{ callId: string; to: string; kind: string; logonId: string }>;
}

const transferBody = {
  type: "object",
  required: ["to"],
  additionalProperties: false,
  properties: {
    to: { type: "string", minLength: 1, maxLength: 32, pattern: "^[0-9A-Za-z+*#._-]+$", description: "An agent's extension, a BVD, or any number." },
  },
} as const;

const transferredSchema = {
  type: "object",
  required: ["callId", "to", "kind", "logonId"],
  properties: {
    callId: { type: "string" },
    to: { type: "string" },
    kind: {
      type: "string",
      enum: ["authentication", "serviceGroup", "attendant", "agent", "number"],
      description: "What the target is: the customer authentication number, a service access's BVD, an attendant transfer, an agent's extension, another number.",
    },
    logonId: { type: "string", description: "The agent who transferred the call." },
  },
} as const;

export function registerTransferRoutes(server: FastifyInstance, control: TransferControl): void {
  server.post<{ Params: { callId: string }; Body: { to: string } }>("/calls/:callId/transfer", {
    schema: {
      tags: ["calls"],
      summary: "Transfer: the agent talking to the caller transfers the caller to an agent's extension or a number",
      description:
        "The call must be a conversation between a caller and an agent. To an agent's extension the call stays a service " +
        "group call (offered with ring time supervision; no answer → back to the queue at its place, the target forced " +
        "not ready); in an attendant group the bridge calls the number and recalls the attendant on busy, no answer or " +
        "invalid number. Answers when the transfer is under way (202), not when the target answers.",
      params: callIdParams,
      body: transferBody,
      response: {
        202: transferredSchema,
        ...errorResponses(Errors.CALL_NOT_FOUND, Errors.CALL_NOT_IN_CONVERSATION, Errors.TRANSFER_TARGET_BUSY, Errors.CUSTOMER_AUTH_NOT_CONFIGURED),
      },
    },
  }, async (request, reply) => {
    const result = await control.transfer(request.params.callId, request.body.to, "api");
    return reply.code(202).send(result);
  });
}
