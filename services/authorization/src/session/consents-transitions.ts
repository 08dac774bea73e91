import type { FirstFactor, PsuIdentity } from '@psd2/psu-directory';
import type { Lang } from '../html/messages.js';
import {
  type ConsentsPasswordChecked,
  type ConsentsSignedIn,
  type ConsentsStarted,
  SESSION_VERSION,
} from './session.js';

/*
 * The moves of a consent page session, as pure functions (the authorization request's are in
 * transitions.ts):
 *   bank:    started → password_checked → authenticated (a refused code goes back to started)
 *   sandbox: started → authenticated (the simulated customer picked)
 */

export function startConsents(opened: {
  readonly flowId: string;
  readonly csrf: string;
  readonly lang: Lang;
}): ConsentsStarted {
  return { version: SESSION_VERSION, flow: 'consents', ...opened, stage: 'started' };
}

export function checkConsentsPassword(
  session: ConsentsStarted,
  signIn: FirstFactor,
): ConsentsPasswordChecked {
  return { ...session, stage: 'password_checked', signIn };
}

export function signInToConsents(
  session: ConsentsPasswordChecked,
  psu: PsuIdentity,
  now: number,
): ConsentsSignedIn {
  const { signIn: _answered, ...rest } = session;
  return { ...rest, stage: 'authenticated', psu, authTime: now };
}

export function refuseConsentsSignIn(session: ConsentsPasswordChecked): ConsentsStarted {
  const { signIn: _answered, ...rest } = session;
  return { ...rest, stage: 'started' };
}

/** Sandbox: the tester picked a seeded customer; no real sign-in exists there. */
export function pickSandboxCustomer(
  session: ConsentsStarted,
  psu: PsuIdentity,
  now: number,
): ConsentsSignedIn {
  return { ...session, stage: 'authenticated', psu, authTime: now };
}

/** The list has shown the status message: it is not shown again. */
export function withNotice(session: ConsentsSignedIn, notice: ConsentsSignedIn['notice']): ConsentsSignedIn {
  const { notice: _shown, ...rest } = session;
  return notice === undefined ? rest : { ...rest, notice };
}
