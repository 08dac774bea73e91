import type { Logger } from '@psd2/logging';
import {
  InvalidRequestError,
  OAuthError,
  type OAuthErrorResponse,
  serializeOAuthError,
  toOAuthError,
} from '@psd2/oauth-errors';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string'
  );
}

/** body-parser's failures are the client's fault; say so in OAuth terms instead of a 500 or an HTML page. */
function fromBodyParser(error: BodyParserError): OAuthError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new InvalidRequestError({ description: 'The request body is malformed.', detail: error.type });
    case 'entity.too.large':
      return new InvalidRequestError({ status: 413, description: 'The request body is too large.' });
    case 'parameters.too.many':
      return new InvalidRequestError({ status: 413, description: 'The request has too many parameters.' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new InvalidRequestError({
        status: 415,
        description: 'The request body encoding is not supported.',
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new InvalidRequestError({
        description: 'The request body could not be read.',
        detail: error.type,
      });
    default:
      return undefined;
  }
}

/**
 * The 4xx `status` (or `statusCode`) of an error express raises for the request's fault: an http-errors
 * error marked `expose`, or the router's URIError for a path parameter it cannot decode (status 400, no
 * `expose`).
 */
function clientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (Reflect.get(error, 'expose') !== true && !(error instanceof URIError)) return undefined;
  const status: unknown = Reflect.get(error, 'status') ?? Reflect.get(error, 'statusCode');
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500
    ? status
    : undefined;
}

/**
 * The client's fault in OAuth terms, or undefined when the error is not one: body-parser's failures,
 * any other express / http-errors error with a 4xx status marked `expose`, and the router's 400 for a
 * path with an undecodable percent-escape (`%E0%A4%A`). Never a 500 for what the request got wrong.
 */
export function clientFault(error: unknown): OAuthError | undefined {
  if (isBodyParserError(error)) {
    const mapped = fromBodyParser(error);
    if (mapped !== undefined) return mapped;
  }
  const status = clientStatus(error);
  if (status === undefined) return undefined;
  return new InvalidRequestError({
    status,
    description: 'The request is malformed.',
    detail: error instanceof Error ? `${error.name}: ${error.message}` : `HTTP ${status}`,
  });
}

/**
 * The one place where a thrown error becomes an OAuth error response (status, headers, JSON body):
 * the error code goes into the request's log fields, and the detail, never shown to the client, to
 * its log. Used by the express error handler below and by the form endpoints.
 */
export function oauthErrorResponse(
  error: unknown,
  request: { readonly fields: Record<string, string>; readonly log: Logger | undefined },
): OAuthErrorResponse {
  const mapped = error instanceof OAuthError ? error : (clientFault(error) ?? toOAuthError(error));
  const response = serializeOAuthError(mapped);
  request.fields.error = response.body.error;
  const log = request.log;
  if (log) {
    if (response.status >= 500) log.error({ err: response.log.cause, ...response.log }, 'request failed');
    else if (response.log.detail !== undefined) log.info(response.log, 'request refused');
  }
  return response;
}

/** `oauthErrorResponse` for the express routes. */
export function oauthErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    res.locals.logFields ??= {};
    const response = oauthErrorResponse(error, { fields: res.locals.logFields, log: res.locals.log });
    res.status(response.status).set(response.headers).json(response.body);
  };
}
