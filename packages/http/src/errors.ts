import { InvalidRequestError, type OAuthError, serializeOAuthError, toOAuthError } from '@psd2/oauth-errors';
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

/** The one place where a thrown error becomes an HTTP response for the JSON endpoints. */
export function oauthErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const mapped = isBodyParserError(error)
      ? (fromBodyParser(error) ?? toOAuthError(error))
      : toOAuthError(error);
    const response = serializeOAuthError(mapped);
    res.locals.logFields = { ...res.locals.logFields, error: response.body.error };
    const log = res.locals.log;
    if (log) {
      if (response.status >= 500) log.error({ err: response.log.cause, ...response.log }, 'request failed');
      else if (response.log.detail !== undefined) log.info(response.log, 'request refused');
    }
    res.status(response.status).set(response.headers).json(response.body);
  };
}
