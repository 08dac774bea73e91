import type { Logger } from '@psd2/logging';
import {
  InvalidRequestError,
  type OAuthError,
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
 * The one place where a thrown error becomes an OAuth error response (status, headers, JSON body):
 * the error code goes into the request's log fields, and the detail, never shown to the client, to
 * its log. Used by the express error handler below and by the form endpoints.
 */
export function oauthErrorResponse(
  error: unknown,
  request: { readonly fields: Record<string, string>; readonly log: Logger | undefined },
): OAuthErrorResponse {
  const mapped = isBodyParserError(error)
    ? (fromBodyParser(error) ?? toOAuthError(error))
    : toOAuthError(error);
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
