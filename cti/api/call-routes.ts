// Calls the ACD holds: waiting in a queue, ringing at an agent, talking. Read-only.
import type { FastifyInstance } from "fastify";
import { CtiError, Errors } from "../errors.js";
import type { AcdView, CallView } from "./acd-view.js";
import { errorResponses } from "./error-reply.js";
import { callIdParams, ref } from "./schemas.js";

const tags = ["calls"];

export function registerCallRoutes(server: FastifyInstance, acd: AcdView): void {
  server.get("/calls", {
    schema: {
      tags,
      summary: "Every call the ACD holds, queued calls in queue order",
      response: { 200: { type: "array", items: ref("CallView") }, ...errorResponses() },
    },
  }, async (): Promise<CallView[]> => acd.calls());

  server.get<{ Params: { callId: string } }>("/calls/:callId", {
    schema: {
      tags,
      summary: "One call",
      params: callIdParams,
      response: { 200: ref("CallView"), ...errorResponses(Errors.CALL_NOT_FOUND) },
    },
  }, async (request): Promise<CallView> => {
    const call = acd.calls().find((c) => c.callId === request.params.callId);
    if (!call) throw new CtiError(Errors.CALL_NOT_FOUND, request.params.callId);
    return call;
  });
}
