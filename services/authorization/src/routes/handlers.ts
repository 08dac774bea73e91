import {
  ClientNotFoundError,
  type ClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
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
import { validateAuthorizationRequest } from '../authorize/validate.js';
import { LANGUAGES, type Lang, messagesFor, pickLang } from '../html/messages.js';
import { CSRF_FIELD, consentPage, otpPage, type PageFrame, sandboxPage, signInPage } from '../html/pages.js';
import { STYLESHEET } from '../html/style.js';
import type { ClientSnapshot, Flow, SessionData, SessionStore } from '../session/session.js';
import {
  clearSessionCookie,
  formActionSource,
  newCsrfToken,
  pageCsp,
  sameToken,
  sendPage,
  sessionIdFrom,
  setSessionCookie,
} from './browser.js';
import { browserErrorHandler } from './error-handler.js';

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
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

const SANDBOX_PSU_LIMIT = 20;

const paths = (lang: Lang) => ({
  sandboxPage: `/oauth2/${lang}/sandbox/signin.html`,
  sandboxDecision: `/oauth2/${lang}/sandbox/consent`,
  bankPage: `/oauth2/${lang}/banque/oauth2_authorization.aspx`,
  bankSignIn: `/oauth2/${lang}/banque/signin`,
  bankOtp: `/oauth2/${lang}/banque/otp`,
  bankConsent: `/oauth2/${lang}/banque/consent`,
  stylesheet: `/oauth2/${lang}/static/authorize.css`,
});

function snapshot(client: RegisteredClient, lang: Lang): ClientSnapshot {
  const { metadata } = client;
  return {
    name: metadata.clientNameLocalized?.[lang] ?? metadata.clientName ?? client.organizationName,
    organizationId: client.organizationId,
    organizationName: client.organizationName,
    ncaId: client.ncaId,
  };
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
}

/** The browser's pages: the two authorization endpoints and the steps of sign-in and consent. */
export function mountPages(router: Router, deps: PageDependencies): void {
  const now = deps.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const sandboxEnabled = deps.mode === 'sandbox';
  const bankEnabled = deps.mode === 'bank' || deps.bankPageInSandbox;
  const frame = (lang: Lang): PageFrame => ({ lang, m: messagesFor(lang), sandbox: deps.mode === 'sandbox' });
  const expiresOn = (lang: Lang, authTime: number) =>
    messagesFor(lang).formatDate(new Date((authTime + GRANT_LIFETIME_SECONDS) * 1000));
  const csp = (session: SessionData) => pageCsp([formActionSource(session.request.redirectUri)]);
  const scopesOf = (session: SessionData) => session.request.scope.split(' ');

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

  /** GET of either authorization endpoint (RFC 6749 §4.1.1): validate, open a session, show the first page. */
  const authorize = (flow: Flow, pathLang: Lang) => async (req: Request, res: Response) => {
    if (flow === 'sandbox' ? !sandboxEnabled : !bankEnabled)
      throw new PageError('not_found', 404, `${flow} page disabled`);
    const uiLocales = typeof req.query.ui_locales === 'string' ? req.query.ui_locales : undefined;
    const lang = pickLang(pathLang, uiLocales);
    const { client, request } = await validateAuthorizationRequest(req.query, deps);
    res.locals.logFields = { ...res.locals.logFields, client_id: client.clientId, flow };
    const session: SessionData = {
      version: 1,
      csrf: newCsrfToken(),
      flow,
      lang,
      request,
      client: snapshot(client, lang),
      stage: flow === 'sandbox' ? 'consent' : 'password',
    };
    let id: string;
    try {
      id = await deps.sessions.create(session);
    } catch (error) {
      throw new RedirectError(
        new TemporarilyUnavailableError({ detail: 'session store unavailable', cause: error }),
        {
          redirectUri: request.redirectUri,
          state: request.state,
        },
      );
    }
    setSessionCookie(res, id);
    if (flow === 'sandbox') {
      const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
      sendPage(res, 200, renderSandbox(session, psus), csp(session));
      return;
    }
    sendPage(res, 200, renderSignIn(session), csp(session));
  };

  const renderSandbox = (
    session: SessionData,
    psus: readonly { psuId: string; displayName: string }[],
    error?: string,
  ) =>
    sandboxPage(frame(session.lang), {
      client: session.client,
      scopes: scopesOf(session),
      expiresOn: expiresOn(session.lang, nowSeconds()),
      psus,
      action: paths(session.lang).sandboxDecision,
      csrf: session.csrf,
      ...(error === undefined ? {} : { error }),
    });

  const renderSignIn = (session: SessionData, extra: { customerId?: string; error?: string } = {}) =>
    signInPage(frame(session.lang), {
      client: session.client,
      action: paths(session.lang).bankSignIn,
      cancelAction: paths(session.lang).bankConsent,
      csrf: session.csrf,
      ...extra,
    });

  const renderOtp = (session: SessionData, error?: string) =>
    otpPage(frame(session.lang), {
      action: paths(session.lang).bankOtp,
      cancelAction: paths(session.lang).bankConsent,
      csrf: session.csrf,
      ...(error === undefined ? {} : { error }),
    });

  const renderConsent = (session: SessionData) =>
    consentPage(frame(session.lang), {
      client: session.client,
      scopes: scopesOf(session),
      expiresOn: expiresOn(session.lang, session.authTime ?? nowSeconds()),
      psuName: session.psu?.displayName ?? '',
      action: paths(session.lang).bankConsent,
      csrf: session.csrf,
    });

  /** The page of the step a bank session is at, for a step URL visited out of order. */
  const stepUrl = (session: SessionData) => {
    const p = paths(session.lang);
    return session.stage === 'consent' ? p.bankConsent : session.stage === 'otp' ? p.bankOtp : undefined;
  };

  const requireBank = () => {
    if (!bankEnabled) throw new PageError('not_found', 404, 'bank page disabled');
  };
  const requireSandbox = () => {
    if (!sandboxEnabled) throw new PageError('not_found', 404, 'sandbox page disabled');
  };

  for (const lang of LANGUAGES) {
    const p = paths(lang);
    router.get(p.stylesheet, (_req: Request, res: Response) => {
      res
        .set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' })
        .send(STYLESHEET);
    });

    router.get(p.sandboxPage, authorize('sandbox', lang));
    router.post(p.sandboxDecision, ...acceptBody('form'), async (req: Request, res: Response) => {
      requireSandbox();
      const { id, session } = await loadSession(req, 'sandbox');
      checkCsrf(req, session);
      if (field(req.body, 'decision') !== 'grant') {
        await denyAndFinish(res, id, session);
        return;
      }
      const psu = await deps.psus.findPsu(field(req.body, 'psu') ?? '');
      if (psu === undefined) {
        const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
        sendPage(res, 400, renderSandbox(session, psus, messagesFor(session.lang).noPsu), csp(session));
        return;
      }
      // The simulated PSU "authenticates" as they press Grant.
      await grant(res, id, session, psu.psuId, nowSeconds());
    });

    router.get(p.bankPage, authorize('bank', lang));

    router.post(p.bankSignIn, ...acceptBody('form'), async (req: Request, res: Response) => {
      requireBank();
      const { id, session } = await loadSession(req, 'bank');
      checkCsrf(req, session);
      const next = stepUrl(session);
      if (next !== undefined) {
        res.redirect(303, next);
        return;
      }
      const customerId = (field(req.body, 'customer_id') ?? '').trim();
      const password = field(req.body, 'password') ?? '';
      const m = messagesFor(session.lang);
      const result = await deps.authenticator.checkPassword(customerId, password);
      if (result.status === 'locked') {
        res.locals.logFields = { ...res.locals.logFields, sca: 'locked' };
        const until = new Intl.DateTimeFormat(session.lang, {
          timeStyle: 'short',
          timeZone: 'Europe/Paris',
        }).format(result.until);
        sendPage(res, 423, renderSignIn(session, { customerId, error: m.locked(until) }), csp(session));
        return;
      }
      if (result.status === 'invalid') {
        res.locals.logFields = { ...res.locals.logFields, sca: 'password_refused' };
        sendPage(res, 401, renderSignIn(session, { customerId, error: m.badCredentials }), csp(session));
        return;
      }
      await deps.sessions.save(id, { ...session, stage: 'otp', psu: result.psu });
      res.redirect(303, paths(session.lang).bankOtp);
    });

    router.get(p.bankOtp, async (req: Request, res: Response) => {
      requireBank();
      const { session } = await loadSession(req, 'bank');
      if (session.stage !== 'otp') {
        res.redirect(303, stepUrl(session) ?? paths(session.lang).bankPage);
        return;
      }
      sendPage(res, 200, renderOtp(session), csp(session));
    });

    router.post(p.bankOtp, ...acceptBody('form'), async (req: Request, res: Response) => {
      requireBank();
      const { id, session } = await loadSession(req, 'bank');
      checkCsrf(req, session);
      if (session.stage !== 'otp' || session.psu === undefined) {
        throw new PageError('bad_request', 400, 'one-time code posted out of order');
      }
      const m = messagesFor(session.lang);
      const result = await deps.authenticator.checkOneTimeCode(
        session.psu.psuId,
        (field(req.body, 'otp') ?? '').trim(),
      );
      if (result.status === 'locked') {
        // Back to the first factor: the lock applies to the whole sign-in.
        const reset: SessionData = {
          version: 1,
          csrf: session.csrf,
          flow: session.flow,
          lang: session.lang,
          request: session.request,
          client: session.client,
          stage: 'password',
        };
        await deps.sessions.save(id, reset);
        const until = new Intl.DateTimeFormat(session.lang, {
          timeStyle: 'short',
          timeZone: 'Europe/Paris',
        }).format(result.until);
        sendPage(res, 423, renderSignIn(reset, { error: m.locked(until) }), csp(session));
        return;
      }
      if (result.status === 'invalid') {
        res.locals.logFields = { ...res.locals.logFields, sca: 'otp_refused' };
        sendPage(res, 401, renderOtp(session, m.badOtp), csp(session));
        return;
      }
      // A new session id once authenticated: an id seen before sign-in is worth nothing after it.
      const authenticated: SessionData = {
        ...session,
        stage: 'consent',
        psu: result.psu,
        authTime: nowSeconds(),
      };
      const newId = await deps.sessions.create(authenticated);
      await deps.sessions.destroy(id);
      setSessionCookie(res, newId);
      res.locals.logFields = { ...res.locals.logFields, sca: 'ok' };
      res.redirect(303, paths(session.lang).bankConsent);
    });

    router.get(p.bankConsent, async (req: Request, res: Response) => {
      requireBank();
      const { session } = await loadSession(req, 'bank');
      if (session.stage !== 'consent') {
        res.redirect(303, stepUrl(session) ?? paths(session.lang).bankPage);
        return;
      }
      sendPage(res, 200, renderConsent(session), csp(session));
    });

    router.post(p.bankConsent, ...acceptBody('form'), async (req: Request, res: Response) => {
      requireBank();
      const { id, session } = await loadSession(req, 'bank');
      checkCsrf(req, session);
      // Denying needs no authentication: the PSU may walk away at any step.
      if (field(req.body, 'decision') !== 'grant') {
        await denyAndFinish(res, id, session);
        return;
      }
      if (session.stage !== 'consent' || session.psu === undefined || session.authTime === undefined) {
        throw new PageError('bad_request', 400, 'consent posted before authentication');
      }
      await grant(res, id, session, session.psu.psuId, session.authTime);
    });

    // Anything else under the language prefix is this service's: answer a browser in HTML.
    router.all(`/oauth2/${lang}/*rest`, () => {
      throw new PageError('not_found', 404, 'no such page');
    });
  }

  router.use(browserErrorHandler({ issuer: deps.issuer, sandbox: deps.mode === 'sandbox' }));
}
