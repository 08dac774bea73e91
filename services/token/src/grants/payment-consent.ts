import { InvalidGrantError } from '@psd2/oauth-errors';
import { type PaymentInitiationDetail, paymentBinding } from '@psd2/payment-details';
import type { Scope } from '@psd2/scopes';
import { type AccessTokenRecord, type GrantRecord, hashSecret } from '@psd2/token-store';
import type { GrantContext } from './context.js';

/*
 * A `pisp` code is one payment the customer approved (RFC 9396 `payment_initiation`): the token it buys
 * may initiate or cancel exactly that payment. The authorization service writes such a grant with the
 * approved `authorizationDetails` and the `paymentRequestId`; the payment request, decided once, says
 * whether the approval still stands. Other codes (aisp, cbpii) never reach the store for this.
 */

/** What a redeemed payment code is checked to be, before any token exists. */
export interface PaymentConsent {
  readonly paymentRequestId: string;
  readonly authorizationDetails: readonly [PaymentInitiationDetail];
}

function refuse(detail: string): InvalidGrantError {
  return new InvalidGrantError({ detail });
}

/** Whether the code's grant is a payment consent: by its scope or by what the grant carries. */
function isPaymentGrant(grant: GrantRecord, scopes: readonly Scope[]): boolean {
  return (
    scopes.includes('pisp') ||
    grant.paymentRequestId !== undefined ||
    grant.authorizationDetails !== undefined
  );
}

/**
 * The payment consent of the code's grant, or undefined for a grant that is none (no store call then).
 * A payment consent carries `pisp` alone, exactly one payment, and the request it approved: that request
 * must be `approved` by this very grant (not pending, rejected, or already executed or cancelled), for
 * this client, for the same payment (the dynamic-linking value of PSD2 RTS Art. 5). Anything else is
 * invalid_grant (RFC 6749 §5.2: "the provided authorization grant ... is invalid, expired, revoked").
 */
export async function paymentConsentOf(
  context: GrantContext,
  grant: GrantRecord,
  scopes: readonly Scope[],
): Promise<PaymentConsent | undefined> {
  if (!isPaymentGrant(grant, scopes)) return undefined;
  if (scopes.length !== 1 || scopes[0] !== 'pisp') {
    throw refuse(`a payment consent carries pisp alone, not "${scopes.join(' ')}"`);
  }
  // Never a bare pisp token from a code: the code flow gives pisp only with payment details.
  const details = grant.authorizationDetails;
  const [detail] = details ?? [];
  if (details?.length !== 1 || detail === undefined) {
    throw refuse('a pisp code carries exactly one payment in its authorization_details');
  }
  if (grant.paymentRequestId === undefined) throw refuse('a pisp code without its payment request');

  const request = await context.store.findPaymentRequest(grant.paymentRequestId);
  if (request === undefined) throw refuse('the payment request is unknown or has expired');
  if (request.status !== 'approved') throw refuse(`the payment request is ${request.status}`);
  if (request.grantId !== grant.grantId) throw refuse('the payment request was approved by another grant');
  if (request.clientId !== grant.clientId) throw refuse('the payment request belongs to another client');
  if (paymentBinding(request.detail) !== paymentBinding(detail)) {
    throw refuse('the consent differs from the payment request');
  }
  return { paymentRequestId: request.paymentRequestId, authorizationDetails: [detail] };
}

/**
 * Records the issued access token on the payment request, so the payment API can match the token it
 * is shown. A token the payment API could not match is never handed out: if the record fails, the
 * token is revoked again (best effort) and the request fails.
 */
export async function bindPaymentToken(
  context: GrantContext,
  consent: PaymentConsent,
  accessToken: string,
  record: AccessTokenRecord,
): Promise<void> {
  try {
    await context.store.bindPaymentToken(consent.paymentRequestId, {
      accessTokenHash: hashSecret(accessToken),
      certificateThumbprint: record.certificateThumbprint,
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
    });
  } catch (error) {
    await context.store.revokeAccessToken(accessToken).catch(() => false);
    throw error;
  }
}
