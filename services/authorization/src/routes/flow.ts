import { ClientNotFoundError, type ClientRegistry } from '@psd2/client-registry-client';
import type { Request, Response } from '@psd2/http';
import {
  AccessDeniedError,
  isDependencyUnavailable,
  oauthErrorRedirectParams,
  ServerError,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';
import type { PsuAuthenticator, PsuLookup } from '@psd2/psu-directory';
import type { TokenStore } from '@psd2/token-store';
import { PageError, RedirectError } from '../authorize/errors.js';
import { GRANT_LIFETIME_SECONDS, issueAuthorizationCode } from '../authorize/issue-code.js';
import { responseUrl } from '../authorize/redirect.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { CSRF_FIELD, type PageFrame } from '../html/pages.js';
import type { Flow, SessionData, SessionStore } from '../session/session.js';
import { clearSessionCookie, formActionSource, pageCsp, sameToken, sessionIdFrom } from './browser.js';
import type { PageThrottles } from './throttle.js';

/*
 * What every step of an authorization request shares: its session, the CSRF check, the page frame,
 * and the two ways it ends (a code or access_denied sent back to the client).
 */

export interface PageDependencies {
  /** `iss` of every authorization response, and the only Origin a form may be posted from. */
  readonly issuer: string;
  readonly mode: 'sandbox' | 'bank';
  /** Sandbox mode only: whether the bank sign-in page is served as well (with the seeded PSUs). */
  readonly bankPageInSandbox: boolean;
  readonly pkceRequired: boolean;
  readonly registry: Pick<ClientRegistry, 'getClient'>;
  readonly tokenStore: Pick<TokenStore, 'createGrant' | 'saveAuthorizationCode'>;
  readonly sessions: SessionStore;
  readonly authenticator: PsuAuthenticator;
  readonly psus: PsuLookup;
  readonly throttles: PageThrottles;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

export const paths = (lang: Lang) => ({
  sandboxPage: `/oauth2/${lang}/sandbox/signin.html`,
  sandboxDecision: `/oauth2/${lang}/sandbox/consent`,
  bankPage: `/oauth2/${lang}/banque/oauth2_authorization.aspx`,
  bankSignIn: `/oauth2/${lang}/banque/signin`,
  bankOtp: `/oauth2/${lang}/banque/otp`,
  bankConsent: `/oauth2/${lang}/banque/consent`,
  stylesheet: `/oauth2/${lang}/static/authorize.css`,
});

export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
}

export type FlowKit = ReturnType<typeof createFlowKit>;

export function createFlowKit(deps: PageDependencies) {
  const now = deps.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const frame = (lang: Lang): PageFrame => ({ lang, m: messagesFor(lang), sandbox: deps.mode === 'sandbox' });
  const expiresOn = (lang: Lang, authTime: number) =>
    messagesFor(lang).formatDate(new Date((authTime + GRANT_LIFETIME_SECONDS) * 1000));
  const csp = (session: SessionData) => pageCsp([formActionSource(session.request.redirectUri)]);

  /** The session of a form post or a step page; a missing or expired one ends the flow with a page. */
  const loadSession = async (req: Request, flow: Flow): Promise<{ id: string; session: SessionData }> => {
    const id = sessionIdFrom(req);
    const session = id === undefined ? undefined : await deps.sessions.load(id);
    if (id === undefined || session === undefined)
      throw new PageError('session_expired', 400, 'no live session');
    if (session.flow !== flow) throw new PageError('bad_request', 400, 'session of another flow');
    return { id, session };
  };

  /**
   * CSRF: the synchroniser token of the session must come back with the form, and a browser that
   * names the form's origin must name ours (defence in depth, OWASP CSRF cheat sheet).
   */
  const checkCsrf = (req: Request, session: SessionData): void => {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== new URL(deps.issuer).origin) {
      throw new PageError('csrf', 403, 'cross-origin form post');
    }
    if (!sameToken(session.csrf, field(req.body, CSRF_FIELD)))
      throw new PageError('csrf', 403, 'CSRF token mismatch');
  };

  /** Ends the flow: the session is single use, so the back button cannot replay a decision. */
  const finish = async (res: Response, id: string, location: string) => {
    await deps.sessions.destroy(id).catch(() => undefined);
    clearSessionCookie(res);
    // 303 turns the form's POST into a GET at the client (RFC 9700 §4.12: never 307).
    res.set('Cache-Control', 'no-store').redirect(303, location);
  };

  const grant = async (res: Response, id: string, session: SessionData, psuId: string, authTime: number) => {
    const target = { redirectUri: session.request.redirectUri, state: session.request.state };
    let code: string;
    try {
      // The client may have been deleted since the request arrived; the registry has the last word.
      const client = await deps.registry.getClient(session.request.clientId);
      if (client.status !== 'active') throw new PageError('unknown_client', 400, 'client deleted meanwhile');
      ({ code } = await issueAuthorizationCode(deps.tokenStore, {
        request: session.request,
        organizationId: client.organizationId,
        subject: psuId,
        authTime,
        now: nowSeconds(),
      }));
    } catch (error) {
      if (error instanceof PageError) throw error;
      await deps.sessions.destroy(id).catch(() => undefined);
      clearSessionCookie(res);
      if (isDependencyUnavailable(error)) {
        throw new RedirectError(
          new TemporarilyUnavailableError({
            detail: 'issuing the code: dependency unavailable',
            cause: error,
          }),
          target,
        );
      }
      if (error instanceof ClientNotFoundError)
        throw new PageError('unknown_client', 400, 'client deleted meanwhile');
      throw new RedirectError(new ServerError({ detail: 'issuing the code failed', cause: error }), target);
    }
    res.locals.logFields = { ...res.locals.logFields, decision: 'grant' };
    await finish(
      res,
      id,
      responseUrl(session.request.redirectUri, { code, state: session.request.state, iss: deps.issuer }),
    );
  };

  const denyAndFinish = async (res: Response, id: string, session: SessionData) => {
    res.locals.logFields = { ...res.locals.logFields, decision: 'deny' };
    const params = oauthErrorRedirectParams(
      new AccessDeniedError({ description: 'The PSU denied the request.' }),
    );
    await finish(
      res,
      id,
      responseUrl(session.request.redirectUri, { ...params, state: session.request.state, iss: deps.issuer }),
    );
  };

  return { now, nowSeconds, frame, expiresOn, csp, loadSession, checkCsrf, grant, denyAndFinish };
}
