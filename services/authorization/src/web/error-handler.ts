import { clientFault, type EndpointResult, type RequestBasics, redirect, writeResult } from '@psd2/http';
import {
  isDependencyUnavailable,
  OAuthError,
  oauthErrorRedirectParams,
  ServerError,
} from '@psd2/oauth-errors';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { PageError, RedirectError } from '../authorize/errors.js';
import { responseUrl } from '../authorize/redirect.js';
import { paths } from '../flow/dependencies.js';
import {
  DEFAULT_LANG,
  isLang,
  type Lang,
  type Messages,
  messagesFor,
  type PageErrorKind,
} from '../html/messages.js';
import { errorPage } from '../html/pages.js';
import { SessionTooLargeError } from '../session/session.js';
import { CLEARED_SESSION_COOKIE, htmlPage, pageCsp } from './browser.js';

export function langOfPath(path: string): Lang {
  const segment = path.split('/')[2] ?? '';
  return isLang(segment) ? segment : DEFAULT_LANG;
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
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
  return new PageError('server', 500, detail, { cause: error });
}

type ErrorRequest = Pick<RequestBasics, 'method' | 'path' | 'log' | 'fields' | 'requestId'>;

/** What the pages answer for an error; a PageErrorRenderer for the endpoint layer. */
export type PageErrorAnswer = (error: unknown, request: ErrorRequest) => EndpointResult;

/** The authorization response of an error (RFC 6749 §4.1.2.1), with `iss` (RFC 9207 §2). */
function redirectWithError(error: RedirectError, request: ErrorRequest, issuer: string): EndpointResult {
  const { log } = request;
  if (error.error instanceof ServerError)
    log.error({ err: error.error.cause ?? error.error }, 'request failed');
  else {
    const detail = error.error.detail ?? error.error.description;
    log.info({ error: error.error.code, detail }, 'request refused');
  }
  const params = oauthErrorRedirectParams(error.error);
  request.fields.error = params.error;
  const location = responseUrl(error.target.redirectUri, {
    ...params,
    state: error.target.state,
    iss: issuer,
  });
  return redirect(request.method === 'GET' ? 302 : 303, location, {
    'Cache-Control': 'no-store',
    ...(error.endsSession ? { 'Set-Cookie': CLEARED_SESSION_COOKIE } : {}),
  });
}

/**
 * The browser-facing counterpart of the JSON error serializer: a redirect to the client when the
 * request was verified far enough (RedirectError), otherwise a localised page. Never a stack trace.
 */
export function pageErrorRenderer(options: {
  readonly issuer: string;
  readonly sandbox: boolean;
}): PageErrorAnswer {
  return (error, request) => {
    if (error instanceof RedirectError) return redirectWithError(error, request, options.issuer);
    const page = toPageError(error);
    request.fields.error = page.kind;
    if (page.status >= 500)
      request.log.error({ err: page.cause ?? page, detail: page.detail }, 'request failed');
    else request.log.info({ error: page.kind, detail: page.detail }, 'request refused');
    const lang = langOfPath(request.path);
    const frame = { lang, m: messagesFor(lang), sandbox: options.sandbox };
    const back = backLinkOf(page.kind, lang, frame.m);
    return htmlPage(
      page.status,
      errorPage(frame, { kind: page.kind, requestId: request.requestId, back }),
      pageCsp(),
      {
        ...(page.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(page.retryAfterSeconds) }),
        ...(page.endsSession ? { 'Set-Cookie': CLEARED_SESSION_COOKIE } : {}),
      },
    );
  };
}

const CONSENT_PAGE_ERRORS: ReadonlySet<PageErrorKind> = new Set([
  'grant_not_found',
  'consents_session_expired',
  'consents_csrf',
]);

/** The consent page's errors lead back to it (a new sign-in if the session is gone). */
function backLinkOf(kind: PageErrorKind, lang: Lang, m: Messages) {
  return CONSENT_PAGE_ERRORS.has(kind)
    ? { href: paths(lang).consents, label: m.consents.backToList }
    : undefined;
}

/**
 * The same answers for what fails in the plain routes (the HTML 404, the router's 400 for an
 * undecodable path under a page prefix); helmet's headers are already set there.
 */
export function pageErrorsOutsideEndpoints(render: PageErrorAnswer): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const request: ErrorRequest = {
      method: req.method,
      path: req.path,
      log: res.locals.log,
      fields: res.locals.logFields,
      requestId: res.locals.requestId,
    };
    writeResult(res, 'page', request.requestId, render(error, request));
  };
}
