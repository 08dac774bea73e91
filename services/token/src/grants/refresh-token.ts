import { formSchema } from '@psd2/http';
import { InvalidGrantError, InvalidScopeError } from '@psd2/oauth-errors';
import { checkScopes, formatScope, parseScope } from '@psd2/scopes';
import { generateOpaqueToken, type RefreshTokenLookup, type RefreshTokenRecord } from '@psd2/token-store';
import { scopeRefusal } from '../scope-errors.js';
import {
  accessTokenRecord,
  defineGrant,
  type GrantContext,
  type TokenResponse,
  tokenResponse,
} from './context.js';

/**
 * RFC 6749 §6 for FAPI 2.0: the refresh token is bound to the certificate it was issued to (as access
 * tokens are, RFC 8705 §3), and by default it is not rotated (Security Profile §5.3.2.1: no rotation
 * unless a retry with the previous refresh token succeeds), so a refresh retried after a lost
 * response never ends the PSU's consent: the answer is a new access token and no `refresh_token` (§5.1 lets the
 * server omit it; the client keeps the one it has). With REFRESH_TOKEN_ROTATION each use returns a new
 * refresh token and retires the old one; presenting a retired one is reuse, which revokes the grant,
 * except a retry of the previous token with the same certificate within the grace window.
 * The access token may be narrowed with `scope`, never widened (§6). `extended_transaction_history`
 * needs a fresh SCA and is never refreshed.
 */
export const refreshTokenGrant = defineGrant(
  'refresh_token',
  formSchema({ refresh_token: 'required', scope: 'optional' }),
  (context, { refresh_token: presented, scope }) =>
    context.settings.refreshTokenRotation
      ? refreshWithRotation(context, { presented, scope }, { mayRetry: true })
      : refreshWithoutRotation(context, { presented, scope }),
);

/** The refresh token presented, and the narrower scope asked for, if any (§6). */
interface Refresh {
  readonly presented: string;
  readonly scope: string | undefined;
}

/** The token's record if the authenticated client may present it: unknown and foreign tokens change nothing. */
async function lookupOwnToken(context: GrantContext, presented: string): Promise<RefreshTokenLookup> {
  const lookup = await context.store.lookupRefreshToken(presented);
  if (lookup === undefined)
    throw new InvalidGrantError({ detail: 'unknown, expired or revoked refresh token' });
  const { client, certificate } = context.authenticated;
  if (lookup.record.clientId !== client.clientId) {
    throw new InvalidGrantError({ detail: `refresh token was issued to client ${lookup.record.clientId}` });
  }
  // Sender-constrained like the access tokens (RFC 8705 §3). A renewed certificate of the same client
  // is another certificate: the PSU gives consent again.
  if (lookup.state === 'active' && lookup.record.certificateThumbprint !== certificate.x5tS256)
    throw new InvalidGrantError({ detail: 'refresh token is bound to another certificate' });
  return lookup;
}

async function refreshWithoutRotation(context: GrantContext, refresh: Refresh): Promise<TokenResponse> {
  const lookup = await lookupOwnToken(context, refresh.presented);
  if (lookup.state === 'rotated') {
    // Retired while rotation was on: presenting it is reuse.
    await context.store.revokeGrant(lookup.record.grantId);
    throw reuse(context, lookup.record);
  }
  const { accessToken, accessRecord } = await nextAccessToken(context, lookup.record, refresh.scope);
  await context.store.saveAccessToken(accessToken, accessRecord);
  context.grantUse.record(lookup.record.grantId, context.nowSeconds);
  return tokenResponse(accessToken, accessRecord);
}

async function refreshWithRotation(
  context: GrantContext,
  refresh: Refresh,
  options: { readonly mayRetry: boolean },
): Promise<TokenResponse> {
  const { presented } = refresh;
  const lookup = await lookupOwnToken(context, presented);
  const { grant, ...access } = await nextAccessToken(context, lookup.record, refresh.scope);
  const next = {
    ...access,
    refreshToken: generateOpaqueToken(),
    refreshRecord: { ...lookup.record, issuedAt: context.nowSeconds, expiresAt: grant.expiresAt },
  };
  const { client, certificate } = context.authenticated;
  const outcome = await context.store.rotateRefreshToken(presented, {
    grantId: lookup.record.grantId,
    presenter: { clientId: client.clientId, certificateThumbprint: certificate.x5tS256 },
    next,
    reuseGraceSeconds: context.settings.refreshTokenReuseGraceSeconds,
    ...(lookup.state === 'rotated' && lookup.successor !== undefined
      ? { expectedSuccessor: lookup.successor }
      : {}),
  });
  switch (outcome) {
    case 'rotated':
    case 'retried':
      context.grantUse.record(lookup.record.grantId, context.nowSeconds);
      return tokenResponse(next.accessToken, next.accessRecord, next.refreshToken);
    case 'raced':
      // A concurrent refresh with the same token moved its successor on: read it again, once.
      if (options.mayRetry) return refreshWithRotation(context, refresh, { mayRetry: false });
      throw new InvalidGrantError({ detail: 'refresh token rotated concurrently' });
    case 'reused':
      throw reuse(context, lookup.record);
    default:
      throw new InvalidGrantError({ detail: `refresh token rotation failed: ${outcome}` });
  }
}

/** The access token a refresh issues, after the scope checks, and the grant it belongs to. */
async function nextAccessToken(
  context: GrantContext,
  record: RefreshTokenRecord,
  scopeParameter: string | undefined,
) {
  const granted = parseScope(record.scope) ?? [];
  const requested = scopeParameter === undefined ? granted : parseScope(scopeParameter);
  if (requested === undefined)
    throw new InvalidScopeError({ description: 'The scope parameter is malformed.' });
  const widened = requested.find((scope) => !granted.includes(scope));
  if (widened !== undefined) {
    throw new InvalidScopeError({
      description: `The scope "${widened}" was not granted with this refresh token.`,
    });
  }
  const check = checkScopes({
    requested,
    roles: context.authenticated.certificate.roles,
    grantType: 'refresh_token',
  });
  if (!check.ok) throw scopeRefusal(check);

  const grant = await context.store.findGrant(record.grantId);
  if (grant === undefined) throw new InvalidGrantError({ detail: 'the grant was revoked or has expired' });
  const scope = formatScope(check.scopes);
  return {
    grant,
    accessToken: generateOpaqueToken(),
    accessRecord: accessTokenRecord(context, { scope, subject: grant.subject, grantId: grant.grantId }),
  };
}

function reuse(context: GrantContext, record: RefreshTokenRecord): InvalidGrantError {
  context.log.warn(
    { client_id: record.clientId, grant_id: record.grantId },
    'rotated refresh token reused: grant revoked',
  );
  return new InvalidGrantError({ detail: 'refresh token already used; its grant has been revoked' });
}
