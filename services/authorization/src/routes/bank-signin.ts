import { createHash } from 'node:crypto';
import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { PasswordChecksBusyError } from '@psd2/psu-directory';
import { PageError } from '../authorize/errors.js';
import type { Lang } from '../html/messages.js';
import { otpPage, signInPage } from '../html/pages.js';
import type { SessionData } from '../session/session.js';
import { sendPage, setSessionCookie } from './browser.js';
import { type FlowKit, field, type PageDependencies, paths } from './flow.js';
import { clientAddressKey, throttle } from './throttle.js';

/*
 * The bank sign-in: customer identifier + password, then the one-time code, then (handlers.ts) the
 * consent. The password step always continues to the code step and keeps its outcome on the server;
 * the code step gives the one answer, success or one refusal, the same for an unknown identifier, a
 * wrong password, a wrong code and a blocked PSU (PSD2 RTS Art. 4(3)(a)), in status, page and work.
 */

/** The first page of the bank flow, and the page of a refused sign-in. */
export function renderSignInPage(kit: FlowKit, session: SessionData, error?: string): string {
  return signInPage(kit.frame(session.lang), {
    client: session.client,
    action: paths(session.lang).bankSignIn,
    cancelAction: paths(session.lang).bankConsent,
    csrf: session.csrf,
    ...(error === undefined ? {} : { error }),
  });
}

export function mountBankSignIn(
  router: Router,
  lang: Lang,
  deps: PageDependencies,
  kit: FlowKit,
  requireBank: () => void,
): void {
  const p = paths(lang);
  const renderSignIn = (session: SessionData, error?: string) => renderSignInPage(kit, session, error);

  const renderOtp = (session: SessionData) =>
    otpPage(kit.frame(session.lang), {
      action: paths(session.lang).bankOtp,
      cancelAction: paths(session.lang).bankConsent,
      csrf: session.csrf,
    });

  /** Each post costs a slow hash or a code check: bounded per client address and per request. */
  const throttleSignIn = async (req: Request, session: SessionData) => {
    await throttle(deps.throttles.signInPerAddress, clientAddressKey(req), 'sign-in posts of an address');
    const flowKey = createHash('sha256').update(session.flowId).digest('base64url');
    await throttle(deps.throttles.signInPerSession, flowKey, 'sign-in posts of a session');
  };

  router.post(p.bankSignIn, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireBank();
    const { id, session } = await kit.loadSession(req, 'bank');
    kit.checkCsrf(req, session);
    if (session.stage !== 'password') {
      res.redirect(303, session.stage === 'otp' ? p.bankOtp : p.bankConsent);
      return;
    }
    await throttleSignIn(req, session);
    let signIn: Awaited<ReturnType<PageDependencies['authenticator']['checkPassword']>>;
    try {
      signIn = await deps.authenticator.checkPassword(
        (field(req.body, 'customer_id') ?? '').trim(),
        field(req.body, 'password') ?? '',
      );
    } catch (error) {
      if (error instanceof PasswordChecksBusyError) {
        throw new PageError('unavailable', 503, error.message, { cause: error, retryAfterSeconds: 5 });
      }
      throw error;
    }
    res.locals.logFields = {
      ...res.locals.logFields,
      sca: signIn.passed ? 'password_ok' : (signIn.refusal ?? 'refused'),
    };
    await deps.sessions.save(id, { ...session, stage: 'otp', signIn });
    res.redirect(303, p.bankOtp);
  });

  router.get(p.bankOtp, async (req: Request, res: Response) => {
    requireBank();
    const { session } = await kit.loadSession(req, 'bank');
    if (session.stage !== 'otp') {
      res.redirect(303, session.stage === 'consent' ? p.bankConsent : p.bankPage);
      return;
    }
    sendPage(res, 200, renderOtp(session), kit.csp(session));
  });

  router.post(p.bankOtp, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireBank();
    const { id, session } = await kit.loadSession(req, 'bank');
    kit.checkCsrf(req, session);
    if (session.stage !== 'otp' || session.signIn === undefined) {
      throw new PageError('bad_request', 400, 'one-time code posted out of order');
    }
    await throttleSignIn(req, session);
    // One code per password: of two posts racing on this session, one finds it gone.
    const taken = await deps.sessions.take(id);
    if (taken?.signIn === undefined)
      throw new PageError('session_expired', 400, 'code step already answered');
    const result = await deps.authenticator.checkOneTimeCode(
      taken.signIn,
      (field(req.body, 'otp') ?? '').trim(),
    );
    // A new session id either way: an id seen before this answer is worth nothing after it.
    const { signIn: _answered, ...rest } = taken;
    if (result.status === 'refused') {
      res.locals.logFields = { ...res.locals.logFields, sca: result.reason };
      const again: SessionData = { ...rest, stage: 'password' };
      setSessionCookie(res, await deps.sessions.create(again));
      sendPage(res, 401, renderSignIn(again, kit.frame(again.lang).m.signInRefused), kit.csp(again));
      return;
    }
    const authenticated: SessionData = {
      ...rest,
      stage: 'consent',
      psu: result.psu,
      authTime: kit.nowSeconds(),
    };
    setSessionCookie(res, await deps.sessions.create(authenticated));
    res.locals.logFields = { ...res.locals.logFields, sca: 'ok' };
    res.redirect(303, p.bankConsent);
  });
}
