import type { RegisteredClient } from '@psd2/client-registry-client';
import { defineEndpoint, type Endpoint, type PageResult, type RequestBasics } from '@psd2/http';
import { TemporarilyUnavailableError } from '@psd2/oauth-errors';
import { PageError, RedirectError } from '../authorize/errors.js';
import type { RawParams } from '../authorize/params.js';
import { loadPayment } from '../authorize/payment.js';
import { resolveRequest } from '../authorize/resolve.js';
import { validateAuthorizationRequest } from '../authorize/validate.js';
import { nowSeconds, type PageDependencies, paths, requireFlow } from '../flow/dependencies.js';
import { type Lang, pickLang } from '../html/messages.js';
import {
  type ClientSnapshot,
  type Flow,
  type PendingRequest,
  type Session,
  SessionTooLargeError,
} from '../session/session.js';
import { start } from '../session/transitions.js';
import { newCsrfToken, sessionCookie } from '../web/browser.js';
import { clientAddressKey, throttle } from '../web/throttle.js';
import { signInPage } from './password.js';
import { sandboxPicker } from './sandbox-picker.js';

/*
 * The GET of either authorization endpoint (RFC 6749 §4.1.1): validate the request, open its session,
 * show the flow's first page (the sandbox picker or the bank's password page).
 */

export function authorizationRequestEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  return (['sandbox', 'bank'] as const).map((flow) =>
    defineEndpoint({
      method: 'GET',
      path: flow === 'sandbox' ? paths(lang).sandboxPage : paths(lang).bankPage,
      response: 'page',
      handle: (ctx) => authorize(deps, flow, lang, ctx),
    }),
  );
}

async function authorize(
  deps: PageDependencies,
  flow: Flow,
  pathLang: Lang,
  request: RequestBasics & { readonly query: RawParams },
): Promise<PageResult> {
  requireFlow(deps, flow);
  const resolved = await resolveRequest(request.query, deps.tokenStore);
  const uiLocales = resolved.params.ui_locales;
  const lang = pickLang(pathLang, typeof uiLocales === 'string' ? uiLocales : undefined);
  const validated = await validateAuthorizationRequest(resolved.params, deps, resolved.source);
  const { client } = validated;
  request.fields.client_id = client.clientId;
  request.fields.flow = flow;
  const pending: PendingRequest =
    resolved.paymentRequestId === undefined
      ? validated.request
      : {
          ...validated.request,
          payment: await loadPayment(
            deps.tokenStore,
            resolved.paymentRequestId,
            validated.request,
            nowSeconds(deps),
          ),
        };
  const csrf = newCsrfToken();
  const opened = { flowId: newCsrfToken(), csrf, lang, request: pending, client: snapshot(client, lang) };
  const session = flow === 'sandbox' ? start('sandbox', opened) : start('bank', opened);
  const cookie = { 'Set-Cookie': sessionCookie(await openSession(deps, request, session)) };
  if (session.flow === 'sandbox') return sandboxPicker(deps, session, { headers: cookie });
  return signInPage(deps, 200, session, { headers: cookie });
}

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
async function openSession(
  deps: PageDependencies,
  request: RequestBasics,
  session: Session,
): Promise<string> {
  const target = { redirectUri: session.request.redirectUri, state: session.request.state };
  // The request is verified: Redis down (counter or store) goes back to the client (RFC 6749 §4.1.2.1).
  const unavailable = (detail: string, cause: unknown) =>
    new RedirectError(new TemporarilyUnavailableError({ detail, cause }), target);
  try {
    // Every page load would otherwise be a free Redis entry: bounded per client address.
    const address = clientAddressKey(request.clientAddress);
    await throttle(deps.throttles.sessionsPerAddress, address, 'sessions of an address');
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
