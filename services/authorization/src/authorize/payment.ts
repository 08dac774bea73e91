import { InvalidRequestError } from '@psd2/oauth-errors';
import { paymentRequestStatus, type TokenStore } from '@psd2/token-store';
import type { PendingPayment } from '../session/session.js';
import { PageError, RedirectError, type ResponseTarget } from './errors.js';

/**
 * The payment a validated request carries, as the store holds it now. One of another client's is a
 * page (as if unknown, and nothing changes for its owner); one no longer pending goes back to the
 * client (its redirect URI verified by then).
 */
export async function loadPayment(
  store: Pick<TokenStore, 'findPaymentRequest'>,
  paymentRequestId: string,
  request: ResponseTarget & { readonly clientId: string },
  now: number,
): Promise<PendingPayment> {
  const record = await store.findPaymentRequest(paymentRequestId);
  if (record === undefined || record.clientId !== request.clientId) {
    throw new PageError(
      'payment_request',
      400,
      `payment request ${record === undefined ? 'unknown' : 'of another client'}`,
    );
  }
  const status = paymentRequestStatus(record, now);
  if (status !== 'pending') {
    const description =
      status === 'expired' ? 'The payment request expired.' : 'The payment request was decided already.';
    throw new RedirectError(new InvalidRequestError({ description, detail: `payment request ${status}` }), {
      redirectUri: request.redirectUri,
      state: request.state,
    });
  }
  return { paymentRequestId, detail: record.detail };
}
