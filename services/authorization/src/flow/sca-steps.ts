import { type PageResult, type ResultHeaders, redirect } from '@psd2/http';
import { type FirstFactor, PasswordChecksBusyError, type PsuIdentity } from '@psd2/psu-directory';
import { recordPsuSignIn } from '@psd2/telemetry';
import { PageError } from '../authorize/errors.js';
import { type Lang, messagesFor } from '../html/messages.js';
import type {
  Authenticated,
  ConsentsPasswordChecked,
  ConsentsSignedIn,
  ConsentsStarted,
  PasswordChecked,
  SessionOf,
  Started,
  StoredSession,
} from '../session/session.js';
import { sessionCookie } from '../web/browser.js';
import { throttleSignIn } from '../web/throttle.js';
import { nowSeconds, type PageDependencies } from './dependencies.js';
import type { StepHandler } from './form-step.js';
import { cookieOfFlow } from './session-access.js';

/*
 * The bank's strong customer authentication, one implementation for every page that signs a customer
 * in: the authorization request's bank flow and the customer's consent page. First factor: customer
 * identifier and password; the post always goes on to the code step and keeps its outcome on the
 * server. Second factor: the one-time code, and the one answer to the whole sign-in, the same for an
 * unknown identifier, a wrong password, a wrong code and a blocked PSU (PSD2 RTS Art. 4(3)(a)). The
 * same throttles and the same lockout (the PSU directory) whichever page asks.
 */

/** The flows whose customers sign in with SCA. */
export type ScaFlow = 'bank' | 'consents';

type ScaStage = 'started' | 'password_checked' | 'authenticated';

interface ScaSessions {
  readonly bank: {
    readonly started: Started<'bank'>;
    readonly password_checked: PasswordChecked;
    readonly authenticated: Authenticated;
  };
  readonly consents: {
    readonly started: ConsentsStarted;
    readonly password_checked: ConsentsPasswordChecked;
    readonly authenticated: ConsentsSignedIn;
  };
}

/** A session of flow F at stage S. */
export type At<F extends ScaFlow, S extends ScaStage> = ScaSessions[F][S];

function isAt<F extends ScaFlow, S extends ScaStage>(
  session: StoredSession,
  flow: F,
  stage: S,
): session is At<F, S> {
  return session.flow === flow && session.stage === stage;
}

/** What a flow brings to the shared steps: its session moves and where its pages are. */
export interface ScaRoute<F extends ScaFlow> {
  readonly flow: F;
  /** The code step's page. */
  readonly otpPath: (lang: Lang) => string;
  /** Where the customer goes once signed in. */
  readonly signedInPath: (lang: Lang) => string;
  /** The page a session at another stage belongs on (a step reached out of order). */
  readonly pageOf: (session: SessionOf<F>, lang: Lang) => string;
  readonly checkPassword: (session: At<F, 'started'>, outcome: FirstFactor) => At<F, 'password_checked'>;
  readonly signIn: (
    session: At<F, 'password_checked'>,
    psu: PsuIdentity,
    now: number,
  ) => At<F, 'authenticated'>;
  readonly refuse: (session: At<F, 'password_checked'>) => At<F, 'started'>;
  /** The sign-in page again (401) with the one refusal, after a refused code. */
  readonly refusedPage: (
    session: At<F, 'started'>,
    options: { readonly error: string; readonly headers: ResultHeaders },
  ) => PageResult | Promise<PageResult>;
}

/** The password post: checks the first factor and always goes on to the code step. */
export function passwordStep<F extends ScaFlow>(
  deps: PageDependencies,
  route: ScaRoute<F>,
  lang: Lang,
): StepHandler<F, 'customer_id' | 'password'> {
  return async (request, form, { id, session }) => {
    const current: StoredSession = session;
    if (!isAt(current, route.flow, 'started')) return redirect(303, route.pageOf(session, lang));
    await throttleSignIn(deps.throttles, request.clientAddress, current.flowId);
    const outcome = await firstFactor(deps, (form.customer_id ?? '').trim(), form.password ?? '');
    request.fields.sca = outcome.passed ? 'password_ok' : (outcome.refusal ?? 'refused');
    await deps.sessions.save(id, route.checkPassword(current, outcome));
    return redirect(303, route.otpPath(lang));
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

/** The code post, the one answer to the sign-in: on to `signedInPath`, or the sign-in page again (401). */
export function oneTimeCodeStep<F extends ScaFlow>(
  deps: PageDependencies,
  route: ScaRoute<F>,
  lang: Lang,
): StepHandler<F, 'otp'> {
  return async (request, form, { id, session }) => {
    const current: StoredSession = session;
    if (!isAt(current, route.flow, 'password_checked')) {
      throw new PageError('bad_request', 400, 'one-time code posted out of order');
    }
    await throttleSignIn(deps.throttles, request.clientAddress, current.flowId);
    // One code per password: of two posts racing on this session, one finds it gone.
    const taken = await deps.sessions.take(id);
    if (taken === undefined || !isAt(taken, route.flow, 'password_checked'))
      throw new PageError('session_expired', 400, 'code step already answered');
    const result = await deps.authenticator.checkOneTimeCode(taken.signIn, (form.otp ?? '').trim());
    recordPsuSignIn(result);
    const cookie = async (next: StoredSession) => ({
      'Set-Cookie': sessionCookie(await deps.sessions.create(next), cookieOfFlow(route.flow)),
    });
    // A new session id either way: an id seen before this answer is worth nothing after it.
    if (result.status === 'refused') {
      request.fields.sca = result.reason;
      const again = route.refuse(taken);
      const headers = await cookie(again);
      return route.refusedPage(again, { error: messagesFor(again.lang).signInRefused, headers });
    }
    const headers = await cookie(route.signIn(taken, result.psu, nowSeconds(deps)));
    request.fields.sca = 'ok';
    return redirect(303, route.signedInPath(lang), headers);
  };
}
