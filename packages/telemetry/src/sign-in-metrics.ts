import { instruments } from './metrics.js';

/** What a sign-in's answer tells the metrics: the PSU directory's SignInResult has this shape. */
export type SignInOutcome =
  | { readonly status: 'ok' }
  | { readonly status: 'refused'; readonly reason: string; readonly lockedOut?: boolean };

/**
 * Counts one answered sign-in (`psd2.psu.sign_ins`) and, when it locked the PSU, one lockout
 * (`psd2.psu.lockouts`). Only the outcome and the refusal reason become labels: never the customer id.
 */
export function recordPsuSignIn(outcome: SignInOutcome): void {
  const { psuSignIns, psuLockouts } = instruments();
  if (outcome.status === 'ok') {
    psuSignIns.add(1, { 'psd2.outcome': 'ok' });
    return;
  }
  psuSignIns.add(1, { 'psd2.outcome': 'refused', 'psd2.sign_in.refusal': outcome.reason });
  if (outcome.lockedOut === true) psuLockouts.add(1);
}
