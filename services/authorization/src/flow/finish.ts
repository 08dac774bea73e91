import { ClientNotFoundError } from '@psd2/client-registry-client';
import type { Response } from '@psd2/http';
import {
  AccessDeniedError,
  isDependencyUnavailable,
  oauthErrorRedirectParams,
  ServerError,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';
import { PageError, RedirectError } from '../authorize/errors.js';
import { issueAuthorizationCode } from '../authorize/issue-code.js';
import { responseUrl } from '../authorize/redirect.js';
import type { Decided, PendingRequest } from '../session/session.js';
import { clearSessionCookie } from '../web/browser.js';
import { nowSeconds, type PageDependencies } from './dependencies.js';

/*
 * How an authorization request ends once decided: a code or access_denied back to the client, and
 * the session gone, so the back button cannot replay a decision.
 */

export async function finishDecided(
  deps: PageDependencies,
  res: Response,
  sessionId: string,
  decided: Decided,
): Promise<void> {
  const { request, decision } = decided;
  const params =
    decision.outcome === 'granted'
      ? { code: await issueCode(deps, res, sessionId, request, decision) }
      : oauthErrorRedirectParams(new AccessDeniedError({ description: 'The PSU denied the request.' }));
  res.locals.logFields = {
    ...res.locals.logFields,
    decision: decision.outcome === 'granted' ? 'grant' : 'deny',
  };
  await deps.sessions.destroy(sessionId).catch(() => undefined);
  clearSessionCookie(res);
  // 303 turns the form's POST into a GET at the client (RFC 9700 §4.12: never 307).
  res
    .set('Cache-Control', 'no-store')
    .redirect(303, responseUrl(request.redirectUri, { ...params, state: request.state, iss: deps.issuer }));
}

async function issueCode(
  deps: PageDependencies,
  res: Response,
  sessionId: string,
  request: PendingRequest,
  granted: { readonly psuId: string; readonly authTime: number },
): Promise<string> {
  try {
    // The client may have been deleted since the request arrived; the registry has the last word.
    const client = await deps.registry.getClient(request.clientId);
    if (client.status !== 'active') throw new PageError('unknown_client', 400, 'client deleted meanwhile');
    const { code } = await issueAuthorizationCode(deps.tokenStore, {
      request,
      organizationId: client.organizationId,
      subject: granted.psuId,
      authTime: granted.authTime,
      now: nowSeconds(deps),
    });
    return code;
  } catch (error) {
    if (error instanceof PageError) throw error;
    await deps.sessions.destroy(sessionId).catch(() => undefined);
    clearSessionCookie(res);
    throw refusalOf(error, request);
  }
}

/** A failure to issue the code, as the client's redirect (or the page, for a client now gone). */
function refusalOf(error: unknown, request: PendingRequest): Error {
  if (error instanceof ClientNotFoundError)
    return new PageError('unknown_client', 400, 'client deleted meanwhile');
  const target = { redirectUri: request.redirectUri, state: request.state };
  if (isDependencyUnavailable(error)) {
    const detail = 'issuing the code: dependency unavailable';
    return new RedirectError(new TemporarilyUnavailableError({ detail, cause: error }), target);
  }
  return new RedirectError(new ServerError({ detail: 'issuing the code failed', cause: error }), target);
}
