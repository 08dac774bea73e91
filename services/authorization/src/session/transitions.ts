import { paymentBinding } from '@psd2/payment-details';
import type { FirstFactor, PsuIdentity } from '@psd2/psu-directory';
import type { Lang } from '../html/messages.js';
import {
  type Authenticated,
  type ClientSnapshot,
  type Decided,
  type Flow,
  type PasswordChecked,
  type PendingRequest,
  SESSION_VERSION,
  type Session,
  type Started,
} from './session.js';

/*
 * The moves of an authorization request from one stage to the next, as pure functions: the pages
 * decide when a move is allowed (a factor checked, a form posted), these say what the session becomes.
 *   sandbox: started → decided
 *   bank:    started → password_checked → authenticated → decided (a refused code goes back to started)
 */

export function start<F extends Flow>(
  flow: F,
  opened: {
    readonly flowId: string;
    readonly csrf: string;
    readonly lang: Lang;
    readonly request: PendingRequest;
    readonly client: ClientSnapshot;
  },
): Started<F> {
  return { version: SESSION_VERSION, ...opened, flow, stage: 'started' };
}

/** The password step's outcome, kept for the code step: the PSU learns nothing yet. */
export function checkPassword(session: Started<'bank'>, signIn: FirstFactor): PasswordChecked {
  return { ...session, stage: 'password_checked', signIn };
}

/** The dynamic-linking value of a request's payment: what the PSU was shown while authenticating. */
function bindingOf(session: Session): { readonly scaBinding?: string } {
  const payment = session.request.payment;
  return payment === undefined ? {} : { scaBinding: paymentBinding(payment.detail) };
}

/**
 * Both factors passed (SCA complete at `now`, Unix seconds). For a payment, the code step showed its
 * amount and payee: the authentication is bound to them (PSD2 RTS Art. 5).
 */
export function signIn(session: PasswordChecked, psu: PsuIdentity, now: number): Authenticated {
  const { signIn: _answered, ...rest } = session;
  return { ...rest, stage: 'authenticated', psu, authTime: now, ...bindingOf(session) };
}

/** The code step refused the sign-in: back to the password page, the answered first factor gone. */
export function refuseSignIn(session: PasswordChecked): Started<'bank'> {
  const { signIn: _answered, ...rest } = session;
  return { ...rest, stage: 'started' };
}

/** The authenticated PSU grants the consent the request asked for. */
export function grant(session: Authenticated): Decided {
  return {
    stage: 'decided',
    request: session.request,
    decision: {
      outcome: 'granted',
      psuId: session.psu.psuId,
      authTime: session.authTime,
      ...(session.scaBinding === undefined ? {} : { scaBinding: session.scaBinding }),
    },
  };
}

/** Sandbox: the simulated PSU "authenticates" as they press Grant, at `now`. */
export function grantAs(session: Started<'sandbox'>, psu: PsuIdentity, now: number): Decided {
  return {
    stage: 'decided',
    request: session.request,
    decision: { outcome: 'granted', psuId: psu.psuId, authTime: now, ...bindingOf(session) },
  };
}

/** Denying needs no authentication: the PSU may walk away at any stage. */
export function deny(session: Session): Decided {
  const psuId = session.stage === 'authenticated' ? { psuId: session.psu.psuId } : {};
  return { stage: 'decided', request: session.request, decision: { outcome: 'denied', ...psuId } };
}
