import type { Endpoint, PageResult, ResultHeaders } from '@psd2/http';
import { type PageDependencies, pageOfStage, paths } from '../flow/dependencies.js';
import { formStep } from '../flow/form-step.js';
import { flowPage, pageFrame } from '../flow/page-view.js';
import { passwordStep, type ScaRoute } from '../flow/sca-steps.js';
import type { Lang } from '../html/messages.js';
import { signInPage as signInHtml } from '../html/pages.js';
import type { Started } from '../session/session.js';
import { checkPassword, refuseSignIn, signIn } from '../session/transitions.js';

/*
 * The bank flow's sign-in: the shared SCA steps (flow/sca-steps.ts) with the authorization request's
 * session moves and pages. First factor here, the code step in one-time-code.ts.
 */

/** The first page of the bank flow (200), and the page of a refused sign-in (401). */
export function signInPage(
  deps: PageDependencies,
  status: 200 | 401,
  session: Started<'bank'>,
  options: { readonly error?: string; readonly headers?: ResultHeaders } = {},
): PageResult {
  const html = signInHtml(pageFrame(deps, session.lang), {
    client: session.client,
    action: paths(session.lang).bankSignIn,
    cancelAction: paths(session.lang).bankConsent,
    csrf: session.csrf,
    error: options.error,
  });
  return flowPage(status, html, session, options.headers);
}

/** The authorization request's SCA: on to its consent once signed in. */
export function bankScaRoute(deps: PageDependencies): ScaRoute<'bank'> {
  return {
    flow: 'bank',
    otpPath: (lang) => paths(lang).bankOtp,
    signedInPath: (lang) => paths(lang).bankConsent,
    pageOf: pageOfStage,
    checkPassword,
    signIn,
    refuse: refuseSignIn,
    refusedPage: (session, options) => signInPage(deps, 401, session, options),
  };
}

export function passwordEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).bankSignIn;
  const handle = passwordStep(deps, bankScaRoute(deps), lang);
  return [formStep(deps, { path, flow: 'bank', fields: ['customer_id', 'password'], handle })];
}
