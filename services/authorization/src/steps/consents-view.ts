import type { PageResult, RequestBasics, ResultHeaders } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { pageFrame } from '../flow/page-view.js';
import { cookieOfFlow } from '../flow/session-access.js';
import { consentsSandboxPage, consentsSignInPage } from '../html/consents-pages.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { startConsents } from '../session/consents-transitions.js';
import type { ConsentsStarted } from '../session/session.js';
import { htmlPage, newCsrfToken, pageCsp, sessionCookie } from '../web/browser.js';
import { clientAddressKey, throttle } from '../web/throttle.js';

/*
 * What the consent page's steps share: its pages' policy (forms only to us), opening its session, and
 * the sign-in page of the deployment's mode: the bank's SCA, or in a sandbox the simulated customer
 * picker (a sandbox never shows the bank's real sign-in).
 */

const SANDBOX_PSU_LIMIT = 20;

export function consentsPage(status: number, body: string, headers: ResultHeaders = {}): PageResult {
  return htmlPage(status, body, pageCsp(), headers);
}

/** The bank's sign-in steps exist only in bank mode; in a sandbox they are the 404 page. */
export function requireBankSignIn(deps: PageDependencies): void {
  if (deps.mode === 'sandbox')
    throw new PageError('not_found', 404, 'bank sign-in of the consent page in a sandbox');
}

export function requireSandboxPicker(deps: PageDependencies): void {
  if (deps.mode !== 'sandbox') throw new PageError('not_found', 404, 'sandbox picker outside a sandbox');
}

/** A new consent page session, nobody signed in; bounded per client address like every page load. */
export async function openConsentsSession(
  deps: PageDependencies,
  request: RequestBasics,
  lang: Lang,
): Promise<{ session: ConsentsStarted; headers: ResultHeaders }> {
  await throttle(
    deps.throttles.sessionsPerAddress,
    clientAddressKey(request.clientAddress),
    'sessions of an address',
  );
  const session = startConsents({ flowId: newCsrfToken(), csrf: newCsrfToken(), lang });
  const id = await deps.sessions.create(session);
  return { session, headers: { 'Set-Cookie': sessionCookie(id, cookieOfFlow('consents')) } };
}

/** The page that signs a customer in: the bank's first factor, or the sandbox's picker. */
export async function consentsSignInStep(
  deps: PageDependencies,
  session: ConsentsStarted,
  lang: Lang,
  options: {
    readonly status?: 200 | 400 | 401;
    readonly error?: string;
    readonly headers?: ResultHeaders;
  } = {},
): Promise<PageResult> {
  const frame = pageFrame(deps, lang);
  const view = { csrf: session.csrf, error: options.error };
  const body =
    deps.mode === 'sandbox'
      ? consentsSandboxPage(frame, {
          ...view,
          action: paths(lang).consentsSandbox,
          psus: await deps.psus.listPsus(SANDBOX_PSU_LIMIT),
        })
      : consentsSignInPage(frame, { ...view, action: paths(lang).consentsSignIn });
  return consentsPage(options.status ?? 200, body, options.headers);
}

/** The sandbox picker's refusal of a post naming no known customer. */
export function noSuchSandboxCustomer(lang: Lang): string {
  return messagesFor(lang).noPsu;
}
