// Service groups: each group's queue (waiting, longest and estimated wait), whether it is open, its agents by state.
import type { FastifyInstance } from "fastify";
import { CtiError, Errors } from "../errors.js";
import type { AcdView, ServiceGroupView } from "./acd-view.js";
import { errorResponses } from "./error-reply.js";
import { ref, serviceGroupParams } from "./schemas.js";

const tags = ["service groups"];

export function registerServiceGroupRoutes(server: FastifyInstance, acd: AcdView): void {
  server.get("/service-groups", {
    schema: {
      tags,
      summary: "Every service group, in configuration order",
      response: { 200: { type: "array", items: ref("ServiceGroupView") }, ...errorResponses() },
    },
  }, async (): Promise<ServiceGroupView[]> => acd.serviceGroups());

  server.get<{ Params: { id: string } }>("/service-groups/:id", {
    schema: {
      tags,
      summary: "One service group",
      params: serviceGroupParams,
      response: { 200: ref("ServiceGroupView"), ...errorResponses(Errors.SERVICE_GROUP_UNKNOWN) },
    },
  }, async (request): Promise<ServiceGroupView> => {
    const group = acd.serviceGroups().find((g) => g.id === request.params.id);
    if (!group) throw new CtiError(Errors.SERVICE_GROUP_UNKNOWN, request.params.id);
    return group;
  });
}
