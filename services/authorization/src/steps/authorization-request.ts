import type { RegisteredClient } from '@psd2/client-registry-client';
import type { Request, Response, Router } from '@psd2/http';
import { TemporarilyUnavailableError } from '@psd2/oauth-errors';
import { PageError, RedirectError } from '../authorize/errors.js';
import { validateAuthorizationRequest } from '../authorize/validate.js';
import { type PageDependencies, paths, requireFlow } from '../flow/dependencies.js';
import { type Lang, pickLang } from '../html/messages.js';
import { type ClientSnapshot, type Flow, type Session, SessionTooLargeError } from '../session/session.js';
import { start } from '../session/transitions.js';
import { newCsrfToken, setSessionCookie } from '../web/browser.js';
import { clientAddressKey, throttle } from '../web/throttle.js';
import { sendSignInPage } from './password.js';
import { sendSandboxPicker } from './sandbox-picker.js';

/*
 * The GET of either authorization endpoint (RFC 6749 §4.1.1): validate the request, open its session,
 * show the flow's first page (the sandbox picker or the bank's password page).
 */

export function mountAuthorizationRequest(router: Router, lang: Lang, deps: PageDependencies): void {
  router.get(paths(lang).sandboxPage, authorize(deps, 'sandbox', lang));
  router.get(paths(lang).bankPage, authorize(deps, 'bank', lang));
}

const authorize =
  (deps: PageDependencies, flow: Flow, pathLang: Lang) => async (req: Request, res: Response) => {
    requireFlow(deps, flow);
    const uiLocales = typeof req.query.ui_locales === 'string' ? req.query.ui_locales : undefined;
    const lang = pickLang(pathLang, uiLocales);
    const { client, request } = await validateAuthorizationRequest(req.query, deps);
    res.locals.logFields = { ...res.locals.logFields, client_id: client.clientId, flow };
    const opened = {
      flowId: newCsrfToken(),
      csrf: newCsrfToken(),
      lang,
      request,
      client: snapshot(client, lang),
    };
    const session = flow === 'sandbox' ? start('sandbox', opened) : start('bank', opened);
    setSessionCookie(res, await openSession(deps, req, session));
    if (session.flow === 'sandbox') await sendSandboxPicker(deps, res, session);
    else sendSignInPage(deps, res, 200, session);
  };

function snapshot(client: RegisteredClient, lang: Lang): ClientSnapshot {
  const { metadata } = client;
  return {
    name: metadata.clientNameLocalized?.[lang] ?? metadata.clientName ?? client.organizationName,
    organizationId: client.organizationId,
    organizationName: client.organizationName,
    ncaId: client.ncaId,
  };
}

/** Opens the session of a validated request; a request too big to keep is the client's fault. */
async function openSession(deps: PageDependencies, req: Request, session: Session): Promise<string> {
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
}
