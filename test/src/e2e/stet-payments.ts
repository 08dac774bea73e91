import type { PaymentConsentApi, PaymentKind } from '@psd2/payment-consent-proto';
import * as oidc from 'openid-client';
import { REDIRECT_URI } from './browser.js';

/*
 * The two sides of the STET way in, as payment-api.test.ts drives them: the bank's payment API
 * registering a payment over the internal gRPC API, and the PISP turning the consent-approval URL into
 * its own authorization request.
 */

export const PAYMENT = {
  instructedAmount: { currency: 'EUR', amount: '123.50' },
  creditorName: 'Merchant A',
  creditorIban: 'DE02100100109307118603',
  remittanceInformation: 'Ref Number Merchant',
};

/** The payment API's side: a pending request for the PISP's client, and the URL it hands the PISP. */
export async function registerPayment(
  paymentApi: PaymentConsentApi,
  clientId: string,
  kind: PaymentKind,
  changes: { paymentId?: string; expiresInSeconds?: number; amount?: string } = {},
) {
  return paymentApi.register({
    clientId,
    resourceId: `pmt-${Math.random().toString(36).slice(2, 10)}`,
    kind,
    details: {
      ...PAYMENT,
      instructedAmount: { currency: 'EUR', amount: changes.amount ?? '123.50' },
      ...(changes.paymentId === undefined ? {} : { paymentId: changes.paymentId }),
    },
    ...(changes.expiresInSeconds === undefined ? {} : { expiresInSeconds: changes.expiresInSeconds }),
    language: 0,
  });
}

/** The PISP's side: the consent-approval URL with its own redirect_uri, state and PKCE (RFC 7636). */
export async function asThePisp(consentApprovalUrl: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = new URL(consentApprovalUrl);
  url.searchParams.set('redirect_uri', REDIRECT_URI);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oidc.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return { url, verifier, state };
}
