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
 * Records the PSU's consent as a grant and issues the single-use code bound to it. The store keeps the
 * code's SHA-256 only; the value exists in the redirect and nowhere else.
 */
export async function issueAuthorizationCode(
  store: Pick<TokenStore, 'createGrant' | 'saveAuthorizationCode'>,
  consent: {
    readonly request: PendingRequest;
    readonly organizationId: string;
    readonly subject: string;
    /** When the PSU authenticated (Unix seconds). */
    readonly authTime: number;
    readonly now: number;
  },
): Promise<{ code: string; grant: GrantRecord; record: AuthorizationCodeRecord }> {
  const { request, now } = consent;
  const grant: GrantRecord = {
    grantId: generateGrantId(),
    clientId: request.clientId,
    organizationId: consent.organizationId,
    subject: consent.subject,
    scope: request.scope,
    authTime: consent.authTime,
    createdAt: now,
    expiresAt: consent.authTime + GRANT_LIFETIME_SECONDS,
  };
  await store.createGrant(grant);
  const code = generateOpaqueToken();
  const record: AuthorizationCodeRecord = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    grantId: grant.grantId,
    subject: consent.subject,
    ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
    issuedAt: now,
    expiresAt: now + CODE_LIFETIME_SECONDS,
  };
  await store.saveAuthorizationCode(code, record);
  return { code, grant, record };
}
