import { type Endpoint, type PageResult, type ResultHeaders, redirect } from '@psd2/http';
import { type FirstFactor, PasswordChecksBusyError } from '@psd2/psu-directory';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, pageOfStage, paths } from '../flow/dependencies.js';
import { formStep, type StepHandler } from '../flow/form-step.js';
import { flowPage, pageFrame } from '../flow/page-view.js';
import type { Lang } from '../html/messages.js';
import { signInPage as signInHtml } from '../html/pages.js';
import type { Started } from '../session/session.js';
import { checkPassword } from '../session/transitions.js';
import { throttleSignIn } from '../web/throttle.js';

/*
 * The bank's first factor: customer identifier and password. The post always goes on to the code
 * step and keeps its outcome on the server; the code step gives the one answer, the same for an
 * unknown identifier, a wrong password, a wrong code and a blocked PSU (PSD2 RTS Art. 4(3)(a)).
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

export function passwordEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).bankSignIn;
  return [
    formStep(deps, { path, flow: 'bank', fields: ['customer_id', 'password'], handle: signIn(deps, lang) }),
  ];
}

/** Checks the first factor and always goes on to the code step, its outcome kept in the session. */
function signIn(deps: PageDependencies, lang: Lang): StepHandler<'bank', 'customer_id' | 'password'> {
  return async (request, form, { id, session }) => {
    if (session.stage !== 'started') return redirect(303, pageOfStage(session, lang));
    await throttleSignIn(deps.throttles, request.clientAddress, session.flowId);
    const outcome = await firstFactor(deps, (form.customer_id ?? '').trim(), form.password ?? '');
    request.fields.sca = outcome.passed ? 'password_ok' : (outcome.refusal ?? 'refused');
    await deps.sessions.save(id, checkPassword(session, outcome));
    return redirect(303, paths(lang).bankOtp);
  };
}

async function firstFactor(
  deps: PageDependencies,
  customerId: string,
  password: string,
): Promise<FirstFactor> {
  try {
    return await deps.authenticator.checkPassword(customerId, password);
  } catch (error) {
    if (error instanceof PasswordChecksBusyError) {
      throw new PageError('unavailable', 503, error.message, { cause: error, retryAfterSeconds: 5 });
    }
    throw error;
  }
}
