import { clientFault, type Request, type Response } from '@psd2/http';
import {
  isDependencyUnavailable,
  OAuthError,
  oauthErrorRedirectParams,
  ServerError,
} from '@psd2/oauth-errors';
import type { ErrorRequestHandler, NextFunction } from 'express';
import { PageError, RedirectError } from '../authorize/errors.js';
import { responseUrl } from '../authorize/redirect.js';
import { DEFAULT_LANG, isLang, type Lang, messagesFor } from '../html/messages.js';
import { errorPage } from '../html/pages.js';
import { SessionTooLargeError } from '../session/session.js';
import { pageCsp, sendPage } from './browser.js';

export function langOfPath(path: string): Lang {
  const segment = path.split('/')[2] ?? '';
  return isLang(segment) ? segment : DEFAULT_LANG;
}

/** The authorization response of an error (RFC 6749 §4.1.2.1), with `iss` (RFC 9207 §2). */
export function redirectWithError(
  res: Response,
  status: 302 | 303,
  error: RedirectError,
  issuer: string,
): void {
  const params = oauthErrorRedirectParams(error.error);
  res.locals.logFields = { ...res.locals.logFields, error: params.error };
  res
    .set('Cache-Control', 'no-store')
    .redirect(
      status,
      responseUrl(error.target.redirectUri, { ...params, state: error.target.state, iss: issuer }),
    );
}

function toPageError(error: unknown): PageError {
  if (error instanceof PageError) return error;
  // Whatever step stores it, a session over its bound holds what the request put there.
  if (error instanceof SessionTooLargeError) return new PageError('bad_request', 400, error.message);
  if (isDependencyUnavailable(error)) {
    const detail = error instanceof Error ? error.message : 'dependency unavailable';
    return new PageError('unavailable', 503, detail, { cause: error });
  }
  // acceptBody's media-type refusal, body-parser's failures and the router's 400 for an undecodable
  // path are the browser's fault, not ours.
  const refused = error instanceof OAuthError ? error : clientFault(error);
  if (refused !== undefined && !(refused instanceof ServerError)) {
    return new PageError('bad_request', refused.status, refused.detail ?? refused.description);
  }
  return new PageError(
    'server',
    500,
    error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown',
    {
      cause: error,
    },
  );
}

/**
 * The browser-facing counterpart of the JSON error handler: a redirect to the client when the request
 * was verified far enough (RedirectError), otherwise a localised page. Never a stack trace.
 */
export function browserErrorHandler(options: {
  readonly issuer: string;
  readonly sandbox: boolean;
}): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const log = res.locals.log;
    if (error instanceof RedirectError) {
      if (error.error instanceof ServerError)
        log.error({ err: error.error.cause ?? error.error }, 'request failed');
      else
        log.info(
          { error: error.error.code, detail: error.error.detail ?? error.error.description },
          'request refused',
        );
      redirectWithError(res, req.method === 'GET' ? 302 : 303, error, options.issuer);
      return;
    }
    const page = toPageError(error);
    res.locals.logFields = { ...res.locals.logFields, error: page.kind };
    if (page.status >= 500) log.error({ err: page.cause ?? page, detail: page.detail }, 'request failed');
    else log.info({ error: page.kind, detail: page.detail }, 'request refused');
    const lang = langOfPath(req.path);
    if (page.retryAfterSeconds !== undefined) res.set('Retry-After', String(page.retryAfterSeconds));
    sendPage(
      res,
      page.status,
      errorPage(
        { lang, m: messagesFor(lang), sandbox: options.sandbox },
        { kind: page.kind, requestId: res.locals.requestId },
      ),
      pageCsp(),
    );
  };
}
