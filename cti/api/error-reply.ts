// Every Open Interface error has the same shape: { error: { code, message } } with a stable code from the registry.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CtiError, Errors, isCtiError } from "../errors.js";
import type { Logger } from "../log.js";

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(error: CtiError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}

export function makeErrorHandler(logger: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    let cti: CtiError;
    if (isCtiError(error)) cti = error;
    else if ((error as FastifyError).validation) cti = new CtiError(Errors.BAD_REQUEST, error.message);
    else if ((error as FastifyError).statusCode === 404) cti = new CtiError(Errors.NOT_FOUND, request.url);
    else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) cti = new CtiError(Errors.BAD_REQUEST, error.message);
    else {
      logger.error({ err: error, url: request.url }, "Open Interface request failed");
      cti = new CtiError(Errors.INTERNAL);
    }
    void reply.status(cti.httpStatus).send(errorBody(cti));
  };
}
