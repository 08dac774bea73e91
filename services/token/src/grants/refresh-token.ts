import { formParam, requiredFormParam } from '@psd2/http';
import { InvalidGrantError, InvalidScopeError, UnauthorizedClientError } from '@psd2/oauth-errors';
import { checkScopes, formatScope, parseScope } from '@psd2/scopes';
import { generateOpaqueToken } from '@psd2/token-store';
import { scopeRefusal } from '../scope-errors.js';
import { accessTokenRecord, type GrantContext, type TokenResponse, tokenResponse } from './context.js';

/**
 * RFC 6749 §6 with rotation (OAuth 2.0 Security BCP §4.14.2): every use returns a new refresh token
 * and retires the old one; presenting a retired one is treated as theft and revokes the whole grant.
 * The access token may be narrowed with `scope`, never widened; the new refresh token keeps the scope
 * of the old one (§6). `extended_transaction_history` needs a fresh SCA and is never refreshed.
 */
export async function refreshTokenGrant(context: GrantContext): Promise<TokenResponse> {
  const { client, certificate } = context.authenticated;
  if (!client.metadata.grantTypes.includes('refresh_token')) {
    throw new UnauthorizedClientError({
      detail: `client ${client.clientId} is not registered for refresh_token`,
    });
  }
  const presented = requiredFormParam(context.body, 'refresh_token');

  const lookup = await context.store.lookupRefreshToken(presented);
  if (lookup === undefined)
    throw new InvalidGrantError({ detail: 'unknown, expired or revoked refresh token' });
  const record = lookup.record;
  if (record.clientId !== client.clientId) {
    throw new InvalidGrantError({ detail: `refresh token was issued to client ${record.clientId}` });
  }
  if (lookup.state === 'rotated') {
    await context.store.revokeGrant(record.grantId);
    context.log.warn(
      { client_id: client.clientId, grant_id: record.grantId },
      'rotated refresh token reused: grant revoked',
    );
    throw new InvalidGrantError({ detail: 'refresh token already used; its grant has been revoked' });
  }

  const granted = parseScope(record.scope) ?? [];
  const scopeParameter = formParam(context.body, 'scope');
  const requested = scopeParameter === undefined ? granted : parseScope(scopeParameter);
  if (requested === undefined)
    throw new InvalidScopeError({ description: 'The scope parameter is malformed.' });
  const widened = requested.find((scope) => !granted.includes(scope));
  if (widened !== undefined) {
    throw new InvalidScopeError({
      description: `The scope "${widened}" was not granted with this refresh token.`,
    });
  }
  const check = checkScopes({ requested, roles: certificate.roles, grantType: 'refresh_token' });
  if (!check.ok) throw scopeRefusal(check);

  const grant = await context.store.findGrant(record.grantId);
  if (grant === undefined) throw new InvalidGrantError({ detail: 'the grant was revoked or has expired' });

  const scope = formatScope(check.scopes);
  const next = {
    accessToken: generateOpaqueToken(),
    accessRecord: accessTokenRecord(context, { scope, subject: grant.subject, grantId: grant.grantId }),
    refreshToken: generateOpaqueToken(),
    refreshRecord: { ...record, issuedAt: context.nowSeconds, expiresAt: grant.expiresAt },
  };
  const outcome = await context.store.rotateRefreshToken(presented, grant.grantId, next);
  if (outcome !== 'rotated') {
    throw new InvalidGrantError({ detail: `refresh token rotation failed: ${outcome}` });
  }
  return tokenResponse(next.accessToken, next.accessRecord, next.refreshToken);
}
