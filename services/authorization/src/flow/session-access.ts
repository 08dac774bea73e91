import type { Request } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { CSRF_FIELD } from '../html/pages.js';
import type { Flow, SessionOf } from '../session/session.js';
import { sameToken, sessionIdFrom } from '../web/browser.js';
import type { PageDependencies } from './dependencies.js';

/** A string field of a posted form; anything else (absent, repeated) is undefined. */
export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
}

/** The session of a form post or a step page; a missing or expired one ends the flow with a page. */
export async function loadSession<F extends Flow>(
  deps: PageDependencies,
  req: Request,
  flow: F,
): Promise<{ id: string; session: SessionOf<F> }> {
  const id = sessionIdFrom(req);
  const session = id === undefined ? undefined : await deps.sessions.load(id);
  if (id === undefined || session === undefined)
    throw new PageError('session_expired', 400, 'no live session');
  if (!isOfFlow(session, flow)) throw new PageError('bad_request', 400, 'session of another flow');
  return { id, session };
}

function isOfFlow<F extends Flow>(session: { readonly flow: Flow }, flow: F): session is SessionOf<F> {
  return session.flow === flow;
}

/**
 * CSRF: the synchroniser token of the session must come back with the form, and a browser that
 * names the form's origin must name ours (defence in depth, OWASP CSRF cheat sheet).
 */
export function checkCsrf(deps: PageDependencies, req: Request, session: { readonly csrf: string }): void {
  const origin = req.get('origin');
  if (origin !== undefined && origin !== new URL(deps.issuer).origin) {
    throw new PageError('csrf', 403, 'cross-origin form post');
  }
  if (!sameToken(session.csrf, formField(req.body, CSRF_FIELD)))
    throw new PageError('csrf', 403, 'CSRF token mismatch');
}

/** A form post of a live session of `flow`, its CSRF token checked: where every POST step begins. */
export async function loadPostedSession<F extends Flow>(
  deps: PageDependencies,
  req: Request,
  flow: F,
): Promise<{ id: string; session: SessionOf<F> }> {
  const loaded = await loadSession(deps, req, flow);
  checkCsrf(deps, req, loaded.session);
  return loaded;
}
