// GET /events: the WebSocket event stream (filters in event-filter.ts). The filter is checked before the upgrade,
// so a bad filter or a missing token is an ordinary HTTP error answer.
import type { FastifyInstance } from "fastify";
import { CtiError, Errors } from "../errors.js";
import { errorResponses } from "./error-reply.js";
import { describeFilter, parseEventFilter, STREAMED_EVENTS, type EventFilterQuery } from "./event-filter.js";
import { CLOSE_SLOW_CLIENT, type EventStream } from "./event-stream.js";

const filterParam = (description: string) => ({ type: "string", minLength: 1, maxLength: 1024, description }) as const;

const eventsQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    events: filterParam(`Comma-separated event names or prefix wildcards ("call.*", "*"). Streamed: ${STREAMED_EVENTS.join(", ")}.`),
    serviceGroup: filterParam("Only events whose serviceGroup is one of these (comma-separated)."),
    logonId: filterParam("Only events whose logonId is one of these (comma-separated)."),
    callId: filterParam("Only events whose callId is one of these (comma-separated)."),
    access_token: { type: "string", description: "The bearer token, for clients that cannot set the Authorization header." },
  },
} as const;

export function registerEventRoute(server: FastifyInstance, stream: EventStream): void {
  server.route<{ Querystring: EventFilterQuery & { access_token?: string } }>({
    method: "GET",
    url: "/events",
    schema: {
      tags: ["events"],
      summary: "WebSocket stream of call, agent and call manager events",
      description:
        'Upgrade to a WebSocket; each message is {"event": name, "time": ISO 8601, "data": the event}. Filters combine; ' +
        "a field filter drops events without that field. A client that leaves more than the configured number of bytes " +
        `unread is closed with code ${CLOSE_SLOW_CLIENT}; reconnect and re-read GET /calls and GET /agents.`,
      querystring: eventsQuery,
      response: { 101: { description: "Switching Protocols: the event stream follows", type: "null" }, ...errorResponses() },
    },
    preHandler: async (request) => void parseEventFilter(request.query),
    handler: async () => {
      throw new CtiError(Errors.BAD_REQUEST, "GET /events is a WebSocket: send Upgrade: websocket");
    },
    wsHandler: (socket, request) => {
      const remote = `${request.socket.remoteAddress ?? "?"}:${request.socket.remotePort ?? "?"}`;
      stream.attach(socket, parseEventFilter(request.query), remote, describeFilter(request.query));
    },
  });
}
