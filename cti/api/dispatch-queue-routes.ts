// The Dispatch queue of "Voice – Manual Routing" groups (personal call routing, cti/calls/personal-routing/): list
// the waiting calls and hand one to an agent (the manual: "The agent can select a call from the Dispatch queue for
// immediate routing to that agent").
import type { FastifyInstance } from "fastify";
import type { DispatchCallView } from "../calls/personal-routing/personal-call-router.js";
import { Errors } from "../errors.js";
import { errorResponses } from "./error-reply.js";
import { callIdParams } from "./schemas.js";

/** What the routes need of personal call routing. */
export interface DispatchControl {
  dispatchQueue(groupId?: string): DispatchCallView[];
  pick(callId: string, logonId: string): Promise<DispatchCallView>;
}

const dispatchCallView = {
  type: "object",
  description: "A call waiting in a service group's dispatch queue.",
  required: ["callId", "serviceGroup", "dialed", "caller", "availability", "reason", "arrivedAt", "queuedAt", "waitMs"],
  properties: {
    callId: { type: "string", description: "The caller leg's SIP Call-ID." },
    serviceGroup: { type: "string" },
    dialed: { type: "string", description: "The BVD the caller dialed." },
    caller: { type: "object", required: ["number"], properties: { number: { type: "string" }, name: { type: "string" } } },
    personalNumber: { type: "string", description: "The called personal directory number (Diversion, History-Info or To)." },
    intendedLogonId: { type: "string", description: "The agent that personal number belongs to." },
    availability: {
      type: "string",
      enum: ["personal", "general"],
      description: "personal: only the intended agent may pick it, until the group's Maximum Wait Time for Personal Call; general: every agent of the group.",
    },
    reason: { type: "string", enum: ["unidentified", "busy", "notLoggedOn", "noAnswer", "maxWait", "pickNotAnswered"] },
    arrivedAt: { type: "string", format: "date-time" },
    queuedAt: { type: "string", format: "date-time", description: "When it (last) entered the dispatch queue." },
    waitMs: { type: "integer", minimum: 0, description: "Since the caller arrived." },
  },
} as const;

const tags = ["calls"];

export function registerDispatchQueueRoutes(server: FastifyInstance, dispatch: DispatchControl): void {
  server.get<{ Querystring: { serviceGroup?: string } }>("/dispatch-queue", {
    schema: {
      tags,
      summary: "Calls waiting in dispatch queues (personal calls), oldest first",
      querystring: {
        type: "object",
        additionalProperties: false,
        properties: { serviceGroup: { type: "string", minLength: 1, maxLength: 100, description: "Only this service group's." } },
      },
      response: { 200: { type: "array", items: dispatchCallView }, ...errorResponses() },
    },
  }, async (request): Promise<DispatchCallView[]> => dispatch.dispatchQueue(request.query.serviceGroup));

  server.post<{ Params: { callId: string }; Body: { logonId: string } }>("/dispatch-queue/:callId/pick", {
    schema: {
      tags,
      summary: "Hand a call from the dispatch queue to an agent: the agent's phone rings at once",
      description:
        "The agent must be logged on and idle (ready or not ready), hold the Dispatch privilege (ctibridge user set " +
        "--dispatch yes) and serve the call's service group; a call still reserved for its busy agent can only be " +
        "picked by that agent. Answers with the call as it was listed; not answered within the ring time, the call " +
        "goes back to the dispatch queue (dispatch.queued, reason pickNotAnswered).",
      params: callIdParams,
      body: {
        type: "object",
        required: ["logonId"],
        additionalProperties: false,
        properties: { logonId: { type: "string", minLength: 1, maxLength: 100, description: "The agent who takes the call." } },
      },
      response: {
        200: dispatchCallView,
        ...errorResponses(Errors.CALL_NOT_FOUND, Errors.AGENT_NOT_LOGGED_ON, Errors.AGENT_STATE, Errors.DISPATCH_NOT_ALLOWED),
      },
    },
  }, async (request): Promise<DispatchCallView> => dispatch.pick(request.params.callId, request.body.logonId));
}
