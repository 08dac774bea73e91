import type { RegisteredClient } from '@psd2/client-registry-client';
import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { TemporarilyUnavailableError } from '@psd2/oauth-errors';
import { PageError, RedirectError } from '../authorize/errors.js';
import { validateAuthorizationRequest } from '../authorize/validate.js';
import { LANGUAGES, type Lang, messagesFor, pickLang } from '../html/messages.js';
import { consentPage, sandboxPage } from '../html/pages.js';
import { STYLESHEET } from '../html/style.js';
import {
  type ClientSnapshot,
  type Flow,
  type SessionData,
  SessionTooLargeError,
} from '../session/session.js';
import { mountBankSignIn, renderSignInPage } from './bank-signin.js';
import { newCsrfToken, sendPage, setSessionCookie } from './browser.js';
import { browserErrorHandler } from './error-handler.js';
import { createFlowKit, field, type PageDependencies, paths } from './flow.js';
import { clientAddressKey, throttle } from './throttle.js';

export type { PageDependencies } from './flow.js';

const SANDBOX_PSU_LIMIT = 20;

function snapshot(client: RegisteredClient, lang: Lang): ClientSnapshot {
  const { metadata } = client;
  return {
    name: metadata.clientNameLocalized?.[lang] ?? metadata.clientName ?? client.organizationName,
    organizationId: client.organizationId,
    organizationName: client.organizationName,
    ncaId: client.ncaId,
  };
}

/** The browser's pages: the two authorization endpoints and the steps of sign-in and consent. */
export function mountPages(router: Router, deps: PageDependencies): void {
  const kit = createFlowKit(deps);
  const sandboxEnabled = deps.mode === 'sandbox';
  const bankEnabled = deps.mode === 'bank' || deps.bankPageInSandbox;
  const scopesOf = (session: SessionData) => session.request.scope.split(' ');

  /** Opens the session of a validated request; a request too big to keep is the client's fault. */
  const openSession = async (req: Request, session: SessionData): Promise<string> => {
    const target = { redirectUri: session.request.redirectUri, state: session.request.state };
    // The request is verified: Redis down (counter or store) goes back to the client (RFC 6749 §4.1.2.1).
    const unavailable = (detail: string, cause: unknown) =>
      new RedirectError(new TemporarilyUnavailableError({ detail, cause }), target);
    try {
      // Every page load would otherwise be a free Redis entry: bounded per client address.
      await throttle(deps.throttles.sessionsPerAddress, clientAddressKey(req), 'sessions of an address');
    } catch (error) {
      if (error instanceof PageError && error.kind === 'unavailable')
        throw unavailable('rate limiter unavailable', error);
      throw error;
    }
    try {
      return await deps.sessions.create(session);
    } catch (error) {
      if (error instanceof SessionTooLargeError) throw new PageError('bad_request', 400, error.message);
      throw unavailable('session store unavailable', error);
    }
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
      flowId: newCsrfToken(),
      csrf: newCsrfToken(),
      flow,
      lang,
      request,
      client: snapshot(client, lang),
      stage: flow === 'sandbox' ? 'consent' : 'password',
    };
    setSessionCookie(res, await openSession(req, session));
    if (flow === 'sandbox') {
      const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
      sendPage(res, 200, renderSandbox(session, psus), kit.csp(session));
      return;
    }
    sendPage(res, 200, renderSignInPage(kit, session), kit.csp(session));
  };

  const renderSandbox = (
    session: SessionData,
    psus: readonly { psuId: string; displayName: string }[],
    error?: string,
  ) =>
    sandboxPage(kit.frame(session.lang), {
      client: session.client,
      scopes: scopesOf(session),
      expiresOn: kit.expiresOn(session.lang, kit.nowSeconds()),
      psus,
      action: paths(session.lang).sandboxDecision,
      csrf: session.csrf,
      ...(error === undefined ? {} : { error }),
    });

  const renderConsent = (session: SessionData) =>
    consentPage(kit.frame(session.lang), {
      client: session.client,
      scopes: scopesOf(session),
      expiresOn: kit.expiresOn(session.lang, session.authTime ?? kit.nowSeconds()),
      psuName: session.psu?.displayName ?? '',
      action: paths(session.lang).bankConsent,
      csrf: session.csrf,
    });

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
      const { id, session } = await kit.loadSession(req, 'sandbox');
      kit.checkCsrf(req, session);
      if (field(req.body, 'decision') !== 'grant') {
        await kit.denyAndFinish(res, id, session);
        return;
      }
      const psu = await deps.psus.findPsu(field(req.body, 'psu') ?? '');
      if (psu === undefined) {
        const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
        sendPage(res, 400, renderSandbox(session, psus, messagesFor(session.lang).noPsu), kit.csp(session));
        return;
      }
      // The simulated PSU "authenticates" as they press Grant.
      await kit.grant(res, id, session, psu.psuId, kit.nowSeconds());
    });

    router.get(p.bankPage, authorize('bank', lang));
    mountBankSignIn(router, lang, deps, kit, requireBank);

    router.get(p.bankConsent, async (req: Request, res: Response) => {
      requireBank();
      const { session } = await kit.loadSession(req, 'bank');
      if (session.stage !== 'consent') {
        res.redirect(303, session.stage === 'otp' ? p.bankOtp : p.bankPage);
        return;
      }
      sendPage(res, 200, renderConsent(session), kit.csp(session));
    });

    router.post(p.bankConsent, ...acceptBody('form'), async (req: Request, res: Response) => {
      requireBank();
      const { id, session } = await kit.loadSession(req, 'bank');
      kit.checkCsrf(req, session);
      // Denying needs no authentication: the PSU may walk away at any step.
      if (field(req.body, 'decision') !== 'grant') {
        await kit.denyAndFinish(res, id, session);
        return;
      }
      if (session.stage !== 'consent' || session.psu === undefined || session.authTime === undefined) {
        throw new PageError('bad_request', 400, 'consent posted before authentication');
      }
      await kit.grant(res, id, session, session.psu.psuId, session.authTime);
    });

    // Anything else under the language prefix is this service's: answer a browser in HTML.
    router.all(`/oauth2/${lang}/*rest`, () => {
      throw new PageError('not_found', 404, 'no such page');
    });
  }

  router.use(browserErrorHandler({ issuer: deps.issuer, sandbox: deps.mode === 'sandbox' }));
}
