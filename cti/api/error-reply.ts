// Every Open Interface error has the same shape: { error: { code, message } } with a stable code from the registry.
// Routes declare the codes they can answer (errorResponses), so the OpenAPI document lists them per status.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CtiError, Errors, isCtiError, type ErrorDefinition } from "../errors.js";
import type { Logger } from "../log.js";

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(error: CtiError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}

/** Codes every route but /health can answer: a bad request (validation), a missing token, a failure of ours. */
export const COMMON_ERRORS: readonly ErrorDefinition[] = [Errors.BAD_REQUEST, Errors.UNAUTHORIZED, Errors.INTERNAL];

/**
 * Response schemas for the given errors (plus COMMON_ERRORS), one per HTTP status, each naming its codes in an
 * enum: `{ 404: { description, properties: { error: { code: { enum: [...] } } } } }`.
 */
export function errorResponses(...defs: ErrorDefinition[]): Record<number, object> {
  const byStatus = new Map<number, ErrorDefinition[]>();
  for (const def of [...defs, ...COMMON_ERRORS]) {
    const list = byStatus.get(def.httpStatus) ?? [];
    if (!list.includes(def)) list.push(def);
    byStatus.set(def.httpStatus, list);
  }
  const responses: Record<number, object> = {};
  for (const [status, list] of byStatus) {
    responses[status] = {
      description: list.map((d) => `${d.code}: ${d.message}`).join("; "),
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: {
            code: { type: "string", enum: list.map((d) => d.code) },
            message: { type: "string" },
          },
        },
      },
    };
  }
  return responses;
}

/** The path without the query string: a WebSocket client may carry its token there. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return q < 0 ? request.url : request.url.slice(0, q);
}

/** "body must NOT have additional properties: pin" — fastify's message, plus the key it refused. */
function validationReason(error: FastifyError): string {
  const extra = error.validation
    ?.map((v) => (v.params as { additionalProperty?: unknown }).additionalProperty)
    .filter((p): p is string => typeof p === "string")
    .map((p) => p.slice(0, 64));
  return extra && extra.length > 0 ? `${error.message}: ${extra.join(", ")}` : error.message;
}

export function makeErrorHandler(logger: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    let cti: CtiError;
    const status = (error as FastifyError).statusCode;
    if (isCtiError(error)) cti = error;
    else if ((error as FastifyError).validation) cti = new CtiError(Errors.BAD_REQUEST, validationReason(error as FastifyError));
    else if (status === 404) cti = new CtiError(Errors.NOT_FOUND, pathOf(request));
    else if (status !== undefined && status < 500) cti = new CtiError(Errors.BAD_REQUEST, error.message);
    else {
      logger.error({ err: error, method: request.method, path: pathOf(request) }, "Open Interface request failed");
      cti = new CtiError(Errors.INTERNAL);
    }
    void reply.status(cti.httpStatus).send(errorBody(cti));
  };
}
