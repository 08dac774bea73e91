import {
  type AuthorizationCodeRecord,
  type GrantRecord,
  generateGrantId,
  generateOpaqueToken,
  type TokenStore,
} from '@psd2/token-store';
import type { PendingRequest } from '../session/session.js';

/** RFC 6749 §4.1.2 recommends at most ten minutes; sixty seconds is plenty for a server-side client. */
export const CODE_LIFETIME_SECONDS = 60;
/** PSD2 RTS Art. 10: access without a fresh SCA for at most 180 days. */
export const GRANT_LIFETIME_DAYS = 180;
export const GRANT_LIFETIME_SECONDS = GRANT_LIFETIME_DAYS * 24 * 3600;
/**
 * A payment's consent is for that one payment: its code is redeemed within a minute and its token lasts
 * minutes (no refresh token); the payment API ends it sooner by reporting the payment done.
 */
export const PAYMENT_GRANT_LIFETIME_SECONDS = 3600;

export interface Consent {
  readonly request: PendingRequest;
  readonly organizationId: string;
  readonly subject: string;
  /** When the PSU authenticated (Unix seconds). */
  readonly authTime: number;
  readonly now: number;
}

/** The grant a consent creates; a payment's carries its details (RFC 9396) and its payment request. */
export function grantOf(consent: Consent): GrantRecord {
  const { request, now } = consent;
  const payment = request.payment;
  return {
    grantId: generateGrantId(),
    clientId: request.clientId,
    organizationId: consent.organizationId,
    subject: consent.subject,
    scope: request.scope,
    authTime: consent.authTime,
    createdAt: now,
    ...(payment === undefined
      ? { expiresAt: consent.authTime + GRANT_LIFETIME_SECONDS }
      : {
          expiresAt: now + PAYMENT_GRANT_LIFETIME_SECONDS,
          authorizationDetails: [payment.detail],
          paymentRequestId: payment.paymentRequestId,
        }),
  };
}

/**
 * The single-use code bound to a stored grant. The store keeps the code's SHA-256 only; the value
 * exists in the redirect and nowhere else.
 */
async function saveCode(
  store: Pick<TokenStore, 'saveAuthorizationCode'>,
  request: PendingRequest,
  grant: GrantRecord,
  now: number,
): Promise<{ code: string; record: AuthorizationCodeRecord }> {
  const code = generateOpaqueToken();
  const record: AuthorizationCodeRecord = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    grantId: grant.grantId,
    subject: grant.subject,
    ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
    issuedAt: now,
    expiresAt: now + CODE_LIFETIME_SECONDS,
  };
  await store.saveAuthorizationCode(code, record);
  return { code, record };
}

/**
 * Records the PSU's consent as a grant and issues the code bound to it. `confirm` runs between the two
 * (a payment's decision, which needs the grant's id) and throws to issue no code.
 */
export async function issueAuthorizationCode(
  store: Pick<TokenStore, 'createGrant' | 'saveAuthorizationCode'>,
  consent: Consent,
  confirm?: (grant: GrantRecord) => Promise<void>,
): Promise<{ code: string; grant: GrantRecord; record: AuthorizationCodeRecord }> {
  const grant = grantOf(consent);
  await store.createGrant(grant);
  await confirm?.(grant);
  const { code, record } = await saveCode(store, consent.request, grant, consent.now);
  return { code, grant, record };
}
