// GET /health: open to everyone (load balancers, monitoring); says whether every call manager link is up.
import type { FastifyInstance } from "fastify";
import type { AgentRegistry } from "../agents/agent-registry.js";
import { ref } from "./schemas.js";

export interface HealthSource {
  version: string;
  startedAt: Date;
  callManagers(): { id: string; name: string; state: "unknown" | "up" | "down" }[];
  media(): { portsTotal: number; portsFree: number };
  activeCalls(): number;
  sip(): { retransmissions: number; malformed: number; forbidden: number };
}

export function registerHealthRoute(server: FastifyInstance, health: HealthSource, agents: AgentRegistry): void {
  server.get("/health", {
    schema: {
      tags: ["health"],
      summary: "Links, media ports, calls and SIP counters; no token needed",
      security: [],
      response: { 200: ref("Health") },
    },
  }, async () => {
    const callManagers = health.callManagers();
    return {
      status: callManagers.every((cm) => cm.state === "up") ? "ok" : "degraded",
      version: health.version,
      uptimeSeconds: Math.round((Date.now() - health.startedAt.getTime()) / 1000),
      callManagers,
      media: health.media(),
      activeCalls: health.activeCalls(),
      sip: health.sip(),
      agentsLoggedOn: agents.size,
    };
  });
}
