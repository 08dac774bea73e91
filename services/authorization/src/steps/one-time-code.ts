import { type Endpoint, redirect } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { nowSeconds, type PageDependencies, paths } from '../flow/dependencies.js';
import { formStep, type StepHandler } from '../flow/form-step.js';
import { pageFrame } from '../flow/page-view.js';
import { stagePageEndpoint } from '../flow/stage-page.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { otpPage } from '../html/pages.js';
import type { PasswordChecked } from '../session/session.js';
import { refuseSignIn, signIn } from '../session/transitions.js';
import { sessionCookie } from '../web/browser.js';
import { throttleSignIn } from '../web/throttle.js';
import { signInPage } from './password.js';

/*
 * The bank's second factor, and the one answer to the whole sign-in: on to the consent, or back to
 * the password page with one refusal whatever failed.
 */

export function oneTimeCodeEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).bankOtp;
  const page = stagePageEndpoint(deps, { path, lang, stage: 'password_checked' }, (s) => otpHtml(deps, s));
  return [page, formStep(deps, { path, flow: 'bank', fields: ['otp'], handle: answer(deps, lang) })];
}

function otpHtml(deps: PageDependencies, session: PasswordChecked): string {
  const action = paths(session.lang).bankOtp;
  const cancelAction = paths(session.lang).bankConsent;
  // A payment's amount and payee are shown with the code: the code approves exactly them (RTS Art. 5).
  return otpPage(pageFrame(deps, session.lang), {
    action,
    cancelAction,
    csrf: session.csrf,
    payment: session.request.payment?.detail,
  });
}

/** The one answer to the sign-in: on to the consent, or the password page again (401). */
function answer(deps: PageDependencies, lang: Lang): StepHandler<'bank', 'otp'> {
  return async (request, form, { id, session }) => {
    if (session.stage !== 'password_checked') {
      throw new PageError('bad_request', 400, 'one-time code posted out of order');
    }
    await throttleSignIn(deps.throttles, request.clientAddress, session.flowId);
    // One code per password: of two posts racing on this session, one finds it gone.
    const taken = await deps.sessions.take(id);
    if (taken?.stage !== 'password_checked')
      throw new PageError('session_expired', 400, 'code step already answered');
    const result = await deps.authenticator.checkOneTimeCode(taken.signIn, (form.otp ?? '').trim());
    // A new session id either way: an id seen before this answer is worth nothing after it.
    if (result.status === 'refused') {
      request.fields.sca = result.reason;
      const again = refuseSignIn(taken);
      const headers = { 'Set-Cookie': sessionCookie(await deps.sessions.create(again)) };
      return signInPage(deps, 401, again, { error: messagesFor(again.lang).signInRefused, headers });
    }
    const authenticated = signIn(taken, result.psu, nowSeconds(deps));
    const headers = { 'Set-Cookie': sessionCookie(await deps.sessions.create(authenticated)) };
    request.fields.sca = 'ok';
    return redirect(303, paths(lang).bankConsent, headers);
  };
}
