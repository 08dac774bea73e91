import { refusedBySuspension } from '@psd2/client-authentication';
import { ClientNotFoundError } from '@psd2/client-registry-client';
import { type RedirectResult, type RequestBasics, redirect } from '@psd2/http';
import {
  AccessDeniedError,
  isDependencyUnavailable,
  oauthErrorRedirectParams,
  ServerError,
  TemporarilyUnavailableError,
  UnauthorizedClientError,
} from '@psd2/oauth-errors';
import { refuseSuspendedOrganisation } from '../authorize/checks/check-client.js';
import { PageError, RedirectError } from '../authorize/errors.js';
import { issueAuthorizationCode } from '../authorize/issue-code.js';
import { responseUrl } from '../authorize/redirect.js';
import type { Decided, PendingRequest } from '../session/session.js';
import { CLEARED_SESSION_COOKIE } from '../web/browser.js';
import { nowSeconds, type PageDependencies } from './dependencies.js';
import { approvePayment, checkBinding, rejectPayment } from './payment-decision.js';

/*
 * How an authorization request ends once decided: a code or access_denied back to the client, and
 * the session gone, so the back button cannot replay a decision.
 */

export async function finishDecided(
  deps: PageDependencies,
  request: RequestBasics,
  sessionId: string,
  decided: Decided,
): Promise<RedirectResult> {
  const { request: pending, decision } = decided;
  if (decision.outcome === 'denied' && pending.payment !== undefined) {
    await rejectPayment(deps, request, pending.payment, decision.psuId);
  }
  const params =
    decision.outcome === 'granted'
      ? { code: await issueCode(deps, sessionId, pending, decision) }
      : oauthErrorRedirectParams(new AccessDeniedError({ description: 'The PSU denied the request.' }));
  request.fields.decision = decision.outcome === 'granted' ? 'grant' : 'deny';
  await deps.sessions.destroy(sessionId).catch(() => undefined);
  // 303 turns the form's POST into a GET at the client (RFC 9700 §4.12: never 307).
  const location = responseUrl(pending.redirectUri, { ...params, state: pending.state, iss: deps.issuer });
  return redirect(303, location, { 'Set-Cookie': CLEARED_SESSION_COOKIE });
}

async function issueCode(
  deps: PageDependencies,
  sessionId: string,
  request: PendingRequest,
  granted: { readonly psuId: string; readonly authTime: number; readonly scaBinding?: string },
): Promise<string> {
  try {
    const { payment } = request;
    const now = nowSeconds(deps);
    // A payment gets no grant unless its binding still holds; the approval then records that binding.
    const confirm =
      payment === undefined
        ? undefined
        : approvePayment(deps, request, payment, {
            subject: granted.psuId,
            scaBinding: await checkBinding(deps, request, payment, granted.scaBinding),
            now,
          });
    // The client may have been deleted since the request arrived; the registry has the last word.
    const client = await deps.registry.getClient(request.clientId);
    if (client.status !== 'active') throw new PageError('unknown_client', 400, 'client deleted meanwhile');
    // Suspended meanwhile (issue 18): no code; its tokens would be inactive anyway.
    refuseSuspendedOrganisation(client, { endsSession: true });
    const refused = refusedBySuspension(client, request.scope);
    if (refused.length > 0) {
      const error = new UnauthorizedClientError({
        detail: `role suspended meanwhile for ${refused.join(' ')}`,
      });
      throw new RedirectError(error, { redirectUri: request.redirectUri, state: request.state }, true);
    }
    const consent = {
      request,
      organizationId: client.organizationId,
      subject: granted.psuId,
      authTime: granted.authTime,
      now,
    };
    const { code } = await issueAuthorizationCode(deps.tokenStore, consent, confirm);
    return code;
  } catch (error) {
    if (error instanceof PageError || error instanceof RedirectError) {
      if (error.endsSession) await deps.sessions.destroy(sessionId).catch(() => undefined);
      throw error;
    }
    await deps.sessions.destroy(sessionId).catch(() => undefined);
    throw refusalOf(error, request);
  }
}

/** A failure to issue the code, as the client's redirect (or the page, for a client now gone). */
function refusalOf(error: unknown, request: PendingRequest): Error {
  if (error instanceof ClientNotFoundError) {
    return new PageError('unknown_client', 400, 'client deleted meanwhile', { endsSession: true });
  }
  const target = { redirectUri: request.redirectUri, state: request.state };
  if (isDependencyUnavailable(error)) {
    const detail = 'issuing the code: dependency unavailable';
    return new RedirectError(new TemporarilyUnavailableError({ detail, cause: error }), target, true);
  }
  return new RedirectError(
    new ServerError({ detail: 'issuing the code failed', cause: error }),
    target,
    true,
  );
}
