import type { Endpoint } from '@psd2/http';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { formStep } from '../flow/form-step.js';
import { pageFrame } from '../flow/page-view.js';
import { oneTimeCodeStep } from '../flow/sca-steps.js';
import { stagePageEndpoint } from '../flow/stage-page.js';
import type { Lang } from '../html/messages.js';
import { otpPage } from '../html/pages.js';
import type { PasswordChecked } from '../session/session.js';
import { bankScaRoute } from './password.js';

/*
 * The bank flow's second factor, and the one answer to the whole sign-in (flow/sca-steps.ts): on to
 * the consent, or back to the password page with one refusal whatever failed.
 */

export function oneTimeCodeEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).bankOtp;
  const page = stagePageEndpoint(deps, { path, lang, stage: 'password_checked' }, (s) => otpHtml(deps, s));
  const handle = oneTimeCodeStep(deps, bankScaRoute(deps), lang);
  return [page, formStep(deps, { path, flow: 'bank', fields: ['otp'], handle })];
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
