import type { RequestBasics } from '@psd2/http';
import { InvalidRequestError } from '@psd2/oauth-errors';
import { paymentBinding } from '@psd2/payment-details';
import { type GrantRecord, paymentRequestStatus } from '@psd2/token-store';
import { PageError, RedirectError } from '../authorize/errors.js';
import type { PendingPayment, PendingRequest } from '../session/session.js';
import { nowSeconds, type PageDependencies } from './dependencies.js';

/*
 * The customer's decision on a payment request. An approval is bound to what the customer
 * authenticated for (PSD2 RTS Art. 5(1)(b): "the authentication code ... shall be specific to the
 * amount of the payment transaction and the payee"): the stored payment is read again, and a payment
 * that changed since, or no longer pending for this client, gets no code.
 */

/**
 * Before any grant: the stored payment is still the one the PSU's authentication was bound to. Returns
 * that binding, which the approval then records.
 */
export async function checkBinding(
  deps: PageDependencies,
  request: PendingRequest,
  payment: PendingPayment,
  scaBinding: string | undefined,
): Promise<string> {
  const stored = await deps.tokenStore.findPaymentRequest(payment.paymentRequestId);
  const refuse = (detail: string) => new PageError('payment_changed', 400, detail, { endsSession: true });
  if (stored === undefined || stored.clientId !== request.clientId) throw refuse('payment request gone');
  const status = paymentRequestStatus(stored, nowSeconds(deps));
  if (status !== 'pending') {
    // Expired or decided meanwhile (another tab): the client learns it, as when the page opened.
    const description =
      status === 'expired'
        ? 'The payment request expired before the customer approved it.'
        : 'The payment request was decided already.';
    throw new RedirectError(
      new InvalidRequestError({ description, detail: `payment request ${status} at approval` }),
      { redirectUri: request.redirectUri, state: request.state },
      true,
    );
  }
  if (scaBinding === undefined || paymentBinding(stored.detail) !== scaBinding) {
    throw refuse('payment changed since the authentication (binding mismatch)');
  }
  return scaBinding;
}

/**
 * issueAuthorizationCode's confirmation for a payment: the approval recorded once, atomically, on a
 * pending request; otherwise the new grant is revoked and the client told, and no code exists.
 */
export function approvePayment(
  deps: PageDependencies,
  request: PendingRequest,
  payment: PendingPayment,
  approval: { readonly subject: string; readonly scaBinding: string; readonly now: number },
): (grant: GrantRecord) => Promise<void> {
  return async (grant) => {
    const outcome = await deps.tokenStore.decidePaymentRequest(payment.paymentRequestId, {
      outcome: 'approved',
      subject: approval.subject,
      grantId: grant.grantId,
      scaBinding: approval.scaBinding,
      decidedAt: approval.now,
    });
    if (outcome === 'decided') return;
    await deps.tokenStore.revokeGrant(grant.grantId);
    const description =
      outcome === 'expired'
        ? 'The payment request expired before the customer approved it.'
        : 'The payment request was decided already.';
    throw new RedirectError(
      new InvalidRequestError({ description, detail: `payment decision ${outcome}` }),
      { redirectUri: request.redirectUri, state: request.state },
      true,
    );
  };
}

/**
 * The customer rejected (or walked away from) the payment: recorded, so the payment API learns it. The
 * client gets access_denied whatever the store says: a request decided or expired meanwhile is not
 * approved either.
 */
export async function rejectPayment(
  deps: PageDependencies,
  request: RequestBasics,
  payment: PendingPayment,
  subject: string | undefined,
): Promise<void> {
  try {
    const outcome = await deps.tokenStore.decidePaymentRequest(payment.paymentRequestId, {
      outcome: 'rejected',
      ...(subject === undefined ? {} : { subject }),
      decidedAt: nowSeconds(deps),
    });
    request.fields.payment_decision = outcome;
  } catch (error) {
    // Unrecorded, the request stays pending until it expires: never approved.
    request.log.warn({ err: error }, 'recording a payment rejection failed');
  }
}
