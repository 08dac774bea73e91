import { defineEndpoint, type Endpoint, redirect } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { nowSeconds, type PageDependencies, paths } from '../flow/dependencies.js';
import { formStep } from '../flow/form-step.js';
import { pageFrame } from '../flow/page-view.js';
import { oneTimeCodeStep, passwordStep, type ScaRoute } from '../flow/sca-steps.js';
import { cookieOfFlow, liveSession } from '../flow/session-access.js';
import { consentsOtpPage } from '../html/consents-pages.js';
import type { Lang } from '../html/messages.js';
import {
  checkConsentsPassword,
  pickSandboxCustomer,
  refuseConsentsSignIn,
  signInToConsents,
} from '../session/consents-transitions.js';
import { sessionCookie } from '../web/browser.js';
import {
  consentsPage,
  consentsSignInStep,
  noSuchSandboxCustomer,
  requireBankSignIn,
  requireSandboxPicker,
} from './consents-view.js';

/*
 * Signing in to the consent page. Bank mode: the bank's SCA, the very steps of the authorization
 * request (flow/sca-steps.ts: same throttles, same lockout, same one answer), in a session of the
 * consent page's own purpose. Sandbox mode: the simulated customer picker.
 */

function consentsScaRoute(deps: PageDependencies): ScaRoute<'consents'> {
  return {
    flow: 'consents',
    otpPath: (lang) => paths(lang).consentsOtp,
    signedInPath: (lang) => paths(lang).consents,
    pageOf: (session, lang) =>
      session.stage === 'password_checked' ? paths(lang).consentsOtp : paths(lang).consents,
    checkPassword: checkConsentsPassword,
    signIn: signInToConsents,
    refuse: refuseConsentsSignIn,
    refusedPage: (session, options) =>
      consentsSignInStep(deps, session, session.lang, { status: 401, ...options }),
  };
}

export function consentsSignInEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const p = paths(lang);
  const route = consentsScaRoute(deps);
  const password = passwordStep(deps, route, lang);
  const oneTimeCode = oneTimeCodeStep(deps, route, lang);
  return [
    formStep(deps, {
      path: p.consentsSignIn,
      flow: 'consents',
      fields: ['customer_id', 'password'],
      handle: async (request, form, posted) => {
        requireBankSignIn(deps);
        return password(request, form, posted);
      },
    }),
    defineEndpoint({
      method: 'GET',
      path: p.consentsOtp,
      response: 'page',
      handle: async (ctx) => {
        requireBankSignIn(deps);
        const live = await liveSession(deps, ctx, 'consents');
        if (live?.session.stage !== 'password_checked') return redirect(303, p.consents);
        const frame = pageFrame(deps, lang);
        const view = { action: p.consentsOtp, csrf: live.session.csrf, signOutAction: p.consentsSignOut };
        return consentsPage(200, consentsOtpPage(frame, view));
      },
    }),
    formStep(deps, {
      path: p.consentsOtp,
      flow: 'consents',
      fields: ['otp'],
      handle: async (request, form, posted) => {
        requireBankSignIn(deps);
        return oneTimeCode(request, form, posted);
      },
    }),
    formStep(deps, {
      path: p.consentsSandbox,
      flow: 'consents',
      fields: ['psu'],
      handle: async (_request, form, { id, session }) => {
        requireSandboxPicker(deps);
        if (session.stage !== 'started') return redirect(303, p.consents);
        const psu = await deps.psus.findPsu(form.psu ?? '');
        if (psu === undefined) {
          return consentsSignInStep(deps, session, lang, { status: 400, error: noSuchSandboxCustomer(lang) });
        }
        // A new session id once signed in, as after the bank's code step.
        const taken = await deps.sessions.take(id);
        if (taken?.flow !== 'consents' || taken.stage !== 'started')
          throw new PageError('consents_session_expired', 400, 'sandbox sign-in already answered');
        const signedIn = pickSandboxCustomer(taken, psu, nowSeconds(deps));
        const cookie = sessionCookie(await deps.sessions.create(signedIn), cookieOfFlow('consents'));
        return redirect(303, p.consents, { 'Set-Cookie': cookie });
      },
    }),
  ];
}
