import type { RequestBasics } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import type { SessionFlow, SessionOf, StoredSession } from '../session/session.js';
import {
  CONSENTS_SESSION_COOKIE,
  SESSION_COOKIE,
  type SessionCookieName,
  sameToken,
  sessionIdFrom,
} from '../web/browser.js';
import type { PageDependencies } from './dependencies.js';

/** The cookie a flow's session travels in: the consent page has its own (CONSENTS_SESSION_COOKIE). */
export function cookieOfFlow(flow: SessionFlow): SessionCookieName {
  return flow === 'consents' ? CONSENTS_SESSION_COOKIE : SESSION_COOKIE;
}

/** The session of a form post or a step page; a missing or expired one ends the flow with a page. */
export async function loadSession<F extends SessionFlow>(
  deps: PageDependencies,
  request: RequestBasics,
  flow: F,
): Promise<{ id: string; session: SessionOf<F> }> {
  const id = sessionIdFrom(request.headers, cookieOfFlow(flow));
  const session = id === undefined ? undefined : await deps.sessions.load(id);
  if (id === undefined || session === undefined) {
    // The consent page's own words: nobody sent its customer from a TPP to go back to.
    throw new PageError(
      flow === 'consents' ? 'consents_session_expired' : 'session_expired',
      400,
      'no live session',
    );
  }
  if (!isOfFlow(session, flow)) throw new PageError('bad_request', 400, 'session of another flow');
  return { id, session };
}

/** The live session of `flow` the browser holds, if any: for pages that then start one of their own. */
export async function liveSession<F extends SessionFlow>(
  deps: PageDependencies,
  request: RequestBasics,
  flow: F,
): Promise<{ id: string; session: SessionOf<F> } | undefined> {
  const id = sessionIdFrom(request.headers, cookieOfFlow(flow));
  const session = id === undefined ? undefined : await deps.sessions.load(id);
  return id === undefined || session === undefined || !isOfFlow(session, flow) ? undefined : { id, session };
}

export function isOfFlow<F extends SessionFlow>(session: StoredSession, flow: F): session is SessionOf<F> {
  return session.flow === flow;
}

/**
 * A form post of a live session of `flow`. CSRF: the synchroniser token of the session must come
 * back with the form, and a browser that names the form's origin must name ours (defence in depth,
 * OWASP CSRF cheat sheet).
 */
export async function loadPostedSession<F extends SessionFlow>(
  deps: PageDependencies,
  request: RequestBasics,
  flow: F,
  csrfToken: string | undefined,
): Promise<{ id: string; session: SessionOf<F> }> {
  const loaded = await loadSession(deps, request, flow);
  const origin = request.headers.origin;
  const refusal = flow === 'consents' ? 'consents_csrf' : 'csrf';
  if (origin !== undefined && origin !== new URL(deps.issuer).origin) {
    throw new PageError(refusal, 403, 'cross-origin form post');
  }
  if (!sameToken(loaded.session.csrf, csrfToken)) throw new PageError(refusal, 403, 'CSRF token mismatch');
  return loaded;
}
