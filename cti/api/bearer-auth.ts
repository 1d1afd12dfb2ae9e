// Bearer tokens (RFC 6750). No tokens configured: the Open Interface is open (the demo; it listens on loopback).
// Tokens configured: every route but the open ones needs `Authorization: Bearer <token>`; routes browsers reach by
// WebSocket (which cannot set headers) also take an `access_token` query parameter (RFC 6750 §2.3).
// Tokens are compared by SHA-256 digest in constant time, so neither content nor length leaks by timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CtiError, Errors } from "../errors.js";
import { errorBody } from "./error-reply.js";

export interface BearerAuthOptions {
  tokens: readonly string[];
  /** Route patterns anyone may call (e.g. "/health"). */
  openRoutes: readonly string[];
  /** Route patterns that also accept ?access_token=. */
  queryTokenRoutes: readonly string[];
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export function tokenFrom(request: FastifyRequest, acceptQuery: boolean): string | undefined {
  const header = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? "")?.[1];
  if (header) return header;
  if (!acceptQuery) return undefined;
  const query = (request.query as Record<string, unknown> | undefined)?.access_token;
  return typeof query === "string" && query.length > 0 ? query : undefined;
}

export function installBearerAuth(server: FastifyInstance, options: BearerAuthOptions): void {
  if (options.tokens.length === 0) return;
  const accepted = options.tokens.map(digest);
  const matches = (given: string): boolean => {
    const d = digest(given);
    // Compare against every token, not stopping at the first match.
    return accepted.reduce((found, t) => timingSafeEqual(d, t) || found, false);
  };
  server.addHook("onRequest", async (request, reply) => {
    // Unknown paths need a token too (routeOptions.url is undefined), so routes cannot be probed without one.
    const route = request.routeOptions.url;
    if (route !== undefined && options.openRoutes.includes(route)) return;
    const given = tokenFrom(request, route !== undefined && options.queryTokenRoutes.includes(route));
    if (given === undefined || !matches(given)) {
      return reply.status(401).header("WWW-Authenticate", 'Bearer realm="ctibridge"').send(errorBody(new CtiError(Errors.UNAUTHORIZED)));
    }
    return undefined;
  });
}
