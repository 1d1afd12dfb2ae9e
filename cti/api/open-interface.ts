// The Open Interface (HTTP on 127.0.0.1:12613 by default, MiCC's agent service port): health, agents, calls,
// service groups, the WebSocket event stream and the OpenAPI document. Bearer tokens from the configuration are
// required when any are configured (bearer-auth.ts).
//
//   request ─► onRequest: bearer token ─► route schema: validation (CTI_ERR_BAD_REQUEST) ─► handler ─► serializer
//                     │ 401 CTI_ERR_UNAUTHORIZED                       any error ─► error-reply.ts { error: { code, message } }
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import type { AgentRegistry } from "../agents/agent-registry.js";
import type { CallManagerUsage } from "../agents/call-manager-selector.js";
import type { PhoneAgentService } from "../agents/phone-agent-service.js";
import type { CallManagerConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";
import type { AcdView } from "./acd-view.js";
import { registerAgentRoutes, type UserLookup } from "./agent-routes.js";
import { installBearerAuth } from "./bearer-auth.js";
import { registerCallRoutes } from "./call-routes.js";
import { errorBody, makeErrorHandler, pathOf } from "./error-reply.js";
import { registerEventRoute } from "./event-routes.js";
import { EventStream, type EventStreamLimits } from "./event-stream.js";
import { registerHealthRoute, type HealthSource } from "./health-route.js";
import { registerMakeCallRoutes, type AgentCalls } from "./make-call-routes.js";
import { registerOpenApi, registerOpenApiRoute } from "./openapi.js";
import { registerRecordingRoutes } from "./recording-routes.js";
import type { RecordingControl } from "../recording/recording-registry.js";
import { addSharedSchemas } from "./schemas.js";
import { registerServiceGroupRoutes } from "./service-group-routes.js";
import { registerObjectTagRoutes } from "./object-tag-routes.js";
import type { ObjectTagDirectory } from "../object-tags/object-tag-directory.js";
import { registerCustomerAuthenticationRoutes, type CustomerAuthenticationControl } from "./customer-authentication-routes.js";
import { registerTransferRoutes, type TransferControl } from "./transfer-routes.js";
import { registerDispatchQueueRoutes, type DispatchControl } from "./dispatch-queue-routes.js";

export type { AcdView, CallView, ServiceGroupView } from "./acd-view.js";
export type { AgentView, UserLookup } from "./agent-routes.js";
export type { HealthSource } from "./health-route.js";
export type { EventStreamLimits } from "./event-stream.js";

export interface OpenInterfaceOptions {
  address: string;
  port: number;
  /** Accepted bearer tokens; none = no authentication (loopback demo). */
  tokens: readonly string[];
  logger: Logger;
  agents: AgentRegistry;
  phoneAgents: PhoneAgentService;
  /** The directory (store.users): logon looks the user up in the service's tenant. */
  users: UserLookup;
  callManagers: readonly CallManagerConfig[];
  /** Link state and agents per call manager, for choosing where an agent logs on. */
  usage: CallManagerUsage;
  acd: AcdView;
  bus: EventBus;
  health: HealthSource;
  /** MakeCall (POST /agents/{logonId}/calls); the route is left out without it. */
  makeCalls?: AgentCalls;
  /** Recording of agents' conversations (GET/POST /agents/{logonId}/recording); the routes are left out without it. */
  recording?: RecordingControl;
  /** DeflectPhoneAgentCall and SetAgentIVRData (customer-authentication-routes.ts); the routes are left out without it. */
  customerAuthentication?: CustomerAuthenticationControl;
  /** POST /calls/{callId}/transfer (transfer-routes.ts); the route is left out without it. */
  transfers?: TransferControl;
  /** GET /dispatch-queue and POST /dispatch-queue/{callId}/pick (personal call routing); left out without it. */
  dispatch?: DispatchControl;
  /** Object tags and dialed numbers (/object-tags, /dialed-numbers); the routes are left out without it. */
  objectTags?: ObjectTagDirectory;
  /** Slow-client, heartbeat and close limits of GET /events (defaults in event-stream.ts). */
  eventStream?: Partial<EventStreamLimits>;
}

export interface OpenInterface {
  server: FastifyInstance;
  port: number;
  /** Every route as "METHOD /path", for logs and for the test that the OpenAPI document lists them all. */
  routes: readonly string[];
}

export async function startOpenInterface(options: OpenInterfaceOptions): Promise<OpenInterface> {
  const { logger } = options;
  const server = Fastify({
    logger: false,
    return503OnClosing: true,
    // Refuse unknown body keys instead of silently dropping them; never coerce ("3001" stays a string, 3001 is wrong).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const routes: string[] = [];
  server.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) if (method !== "HEAD") routes.push(`${method} ${route.url}`);
  });
  server.setErrorHandler(makeErrorHandler(logger));
  server.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(new CtiError(Errors.NOT_FOUND, `${request.method} ${pathOf(request)}`)));
  });

  const stream = new EventStream({ bus: options.bus, logger, ...options.eventStream });
  // Added before the WebSocket plugin loads, so it runs first: clients get 1001 rather than a bare close.
  server.addHook("preClose", async () => stream.close());
  await registerOpenApi(server, options.health.version);
  await server.register(websocket, {
    options: { maxPayload: 4096 }, // clients have nothing to say; refuse big frames
    errorHandler: (error, socket) => {
      logger.warn({ err: error.message }, "event stream socket error");
      socket.terminate();
    },
  });
  // After the WebSocket plugin, whose onRequest hook marks upgrade requests: a refused upgrade's socket is then
  // destroyed once the 401 is sent, instead of lingering.
  installBearerAuth(server, { tokens: options.tokens, openRoutes: ["/health"], queryTokenRoutes: ["/events"] });
  addSharedSchemas(server);

  registerHealthRoute(server, options.health, options.agents);
  registerAgentRoutes(server, options);
  registerCallRoutes(server, options.acd);
  if (options.recording) registerRecordingRoutes(server, { agents: options.agents, recording: options.recording });
  if (options.makeCalls) registerMakeCallRoutes(server, options.makeCalls);
  registerServiceGroupRoutes(server, options.acd);
  if (options.objectTags) registerObjectTagRoutes(server, options.objectTags);
  if (options.customerAuthentication) registerCustomerAuthenticationRoutes(server, options.customerAuthentication);
  if (options.transfers) registerTransferRoutes(server, options.transfers);
  if (options.dispatch) registerDispatchQueueRoutes(server, options.dispatch);
  registerEventRoute(server, stream);
  registerOpenApiRoute(server);

  await server.listen({ host: options.address, port: options.port });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  logger.debug({ routes }, "Open Interface routes");
  return { server, port, routes };
}
