import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { type FirstFactor, PasswordChecksBusyError } from '@psd2/psu-directory';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, pageOfStage, paths, requireFlow } from '../flow/dependencies.js';
import { pageFrame, sendFlowPage } from '../flow/page-view.js';
import { formField, loadPostedSession } from '../flow/session-access.js';
import type { Lang } from '../html/messages.js';
import { signInPage } from '../html/pages.js';
import type { Started } from '../session/session.js';
import { checkPassword } from '../session/transitions.js';
import { throttleSignIn } from '../web/throttle.js';

/*
 * The bank's first factor: customer identifier and password. The post always goes on to the code
 * step and keeps its outcome on the server; the code step gives the one answer, the same for an
 * unknown identifier, a wrong password, a wrong code and a blocked PSU (PSD2 RTS Art. 4(3)(a)).
 */

/** The first page of the bank flow (200), and the page of a refused sign-in (401). */
export function sendSignInPage(
  deps: PageDependencies,
  res: Response,
  status: 200 | 401,
  session: Started<'bank'>,
  error?: string,
): void {
  const html = signInPage(pageFrame(deps, session.lang), {
    client: session.client,
    action: paths(session.lang).bankSignIn,
    cancelAction: paths(session.lang).bankConsent,
    csrf: session.csrf,
    ...(error === undefined ? {} : { error }),
  });
  sendFlowPage(res, status, html, session);
}

export function mountPassword(router: Router, lang: Lang, deps: PageDependencies): void {
  router.post(paths(lang).bankSignIn, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireFlow(deps, 'bank');
    const { id, session } = await loadPostedSession(deps, req, 'bank');
    if (session.stage !== 'started') {
      res.redirect(303, pageOfStage(session, lang));
      return;
    }
    await throttleSignIn(deps.throttles, req, session.flowId);
    const signIn = await firstFactor(deps, req.body);
    res.locals.logFields = {
      ...res.locals.logFields,
      sca: signIn.passed ? 'password_ok' : (signIn.refusal ?? 'refused'),
    };
    await deps.sessions.save(id, checkPassword(session, signIn));
    res.redirect(303, paths(lang).bankOtp);
  });
}

async function firstFactor(deps: PageDependencies, body: unknown): Promise<FirstFactor> {
  try {
    return await deps.authenticator.checkPassword(
      (formField(body, 'customer_id') ?? '').trim(),
      formField(body, 'password') ?? '',
    );
  } catch (error) {
    if (error instanceof PasswordChecksBusyError) {
      throw new PageError('unavailable', 503, error.message, { cause: error, retryAfterSeconds: 5 });
    }
    throw error;
  }
}
