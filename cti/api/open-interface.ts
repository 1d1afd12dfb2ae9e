// The Open Interface (HTTP on 127.0.0.1:12613 by default, MiCC's agent service port): health and agents for now.
// Bearer tokens from the configuration are required when any are configured.
import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import type { Agent } from "../agents/agent.js";
import { errorBody, makeErrorHandler } from "./error-reply.js";

export interface HealthSource {
  version: string;
  startedAt: Date;
  callManagers(): { id: string; name: string; state: "unknown" | "up" | "down" }[];
  media(): { portsTotal: number; portsFree: number };
  activeCalls(): number;
  sip(): { retransmissions: number; malformed: number; forbidden: number };
}

export interface OpenInterfaceOptions {
  address: string;
  port: number;
  tokens: readonly string[];
  logger: Logger;
  agents: AgentRegistry;
  health: HealthSource;
}

export interface AgentView {
  logonId: string;
  extension: string;
  callManager: string;
  state: string;
  stateSince: string;
  loggedOnAt: string;
  notReadyReason?: string;
}

function agentView(a: Agent): AgentView {
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

function tokenMatches(header: string | undefined, tokens: readonly string[]): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  return tokens.some((t) => {
    const b = Buffer.from(t);
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

export async function startOpenInterface(options: OpenInterfaceOptions): Promise<{ server: FastifyInstance; port: number }> {
  const server = Fastify({ logger: false, return503OnClosing: true });
  server.setErrorHandler(makeErrorHandler(options.logger));
  server.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(new CtiError(Errors.NOT_FOUND, `${request.method} ${request.url}`)));
  });
  if (options.tokens.length > 0) {
    server.addHook("onRequest", async (request, reply) => {
      if (request.url === "/health") return;
      if (!tokenMatches(request.headers.authorization, options.tokens)) {
        await reply.status(401).header("WWW-Authenticate", "Bearer").send(errorBody(new CtiError(Errors.UNAUTHORIZED)));
      }
    });
  }

  server.get("/health", async () => {
    const callManagers = options.health.callManagers();
    return {
      status: callManagers.every((cm) => cm.state === "up") ? "ok" : "degraded",
      version: options.health.version,
      uptimeSeconds: Math.round((Date.now() - options.health.startedAt.getTime()) / 1000),
      callManagers,
      media: options.health.media(),
      activeCalls: options.health.activeCalls(),
      sip: options.health.sip(),
      agentsLoggedOn: options.agents.size,
    };
  });

  server.get("/agents", async (): Promise<AgentView[]> =>
    options.agents
      .all()
      .sort((a, b) => a.logonId.localeCompare(b.logonId))
      .map(agentView),
  );

  server.get("/agents/:logonId", async (request) => {
    const { logonId } = request.params as { logonId: string };
    const a = options.agents.get(logonId);
    if (!a) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
    return agentView(a);
  });

  await server.listen({ host: options.address, port: options.port });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return { server, port };
}
