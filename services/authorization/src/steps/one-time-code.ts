import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { nowSeconds, type PageDependencies, paths, requireFlow } from '../flow/dependencies.js';
import { pageFrame } from '../flow/page-view.js';
import { formField, loadPostedSession } from '../flow/session-access.js';
import { sendStagePage } from '../flow/stage-page.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { otpPage } from '../html/pages.js';
import { refuseSignIn, signIn } from '../session/transitions.js';
import { setSessionCookie } from '../web/browser.js';
import { throttleSignIn } from '../web/throttle.js';
import { sendSignInPage } from './password.js';

/*
 * The bank's second factor, and the one answer to the whole sign-in: on to the consent, or back to
 * the password page with one refusal whatever failed.
 */

export function mountOneTimeCode(router: Router, lang: Lang, deps: PageDependencies): void {
  const p = paths(lang);
  router.get(p.bankOtp, (req: Request, res: Response) =>
    sendStagePage(deps, req, res, { lang, stage: 'password_checked' }, (session) =>
      otpPage(pageFrame(deps, session.lang), {
        action: paths(session.lang).bankOtp,
        cancelAction: paths(session.lang).bankConsent,
        csrf: session.csrf,
      }),
    ),
  );

  router.post(p.bankOtp, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireFlow(deps, 'bank');
    const { id, session } = await loadPostedSession(deps, req, 'bank');
    if (session.stage !== 'password_checked') {
      throw new PageError('bad_request', 400, 'one-time code posted out of order');
    }
    await throttleSignIn(deps.throttles, req, session.flowId);
    // One code per password: of two posts racing on this session, one finds it gone.
    const taken = await deps.sessions.take(id);
    if (taken?.stage !== 'password_checked')
      throw new PageError('session_expired', 400, 'code step already answered');
    const otp = (formField(req.body, 'otp') ?? '').trim();
    const result = await deps.authenticator.checkOneTimeCode(taken.signIn, otp);
    // A new session id either way: an id seen before this answer is worth nothing after it.
    if (result.status === 'refused') {
      res.locals.logFields = { ...res.locals.logFields, sca: result.reason };
      const again = refuseSignIn(taken);
      setSessionCookie(res, await deps.sessions.create(again));
      sendSignInPage(deps, res, 401, again, messagesFor(again.lang).signInRefused);
      return;
    }
    setSessionCookie(res, await deps.sessions.create(signIn(taken, result.psu, nowSeconds(deps))));
    res.locals.logFields = { ...res.locals.logFields, sca: 'ok' };
    res.redirect(303, p.bankConsent);
  });
}
