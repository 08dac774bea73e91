import { formSchema } from '@psd2/http';
import { InvalidGrantError, InvalidRequestError } from '@psd2/oauth-errors';
import { checkScopes, formatScope, parseScope, scopesForRefresh } from '@psd2/scopes';
import {
  type AuthorizationCodeRecord,
  generateOpaqueToken,
  type RefreshTokenRecord,
} from '@psd2/token-store';
import { verifyS256 } from '../pkce.js';
import { scopeRefusal } from '../scope-errors.js';
import { accessTokenRecord, defineGrant, tokenResponse } from './context.js';
import { bindPaymentToken, paymentConsentOf } from './payment-consent.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5). The code's bindings are checked first without using it,
 * then it is redeemed atomically, so a code can never buy two token sets, and a second presentation
 * by its own client revokes the grant and every token issued from it (§4.1.2, done by the store). A
 * code presented by any other client is refused and costs its owner nothing. A `pisp` code is one
 * approved payment (payment-consent.ts): a short-lived token, `authorization_details` in the answer
 * (RFC 9396 §7), never a refresh token.
 */
export const authorizationCodeGrant = defineGrant(
  'authorization_code',
  // redirect_uri is always required here: every authorization request names one (registered ones only).
  formSchema({ code: 'required', redirect_uri: 'required', code_verifier: 'optional' }),
  async (context, { code, redirect_uri: redirectUri, code_verifier: verifier }) => {
    const { client, certificate } = context.authenticated;

    // Checked on a read first, so that a request from another client, with another redirect_uri or a
    // wrong verifier is refused without burning the code of the TPP it was issued to. Another client is
    // refused whatever the code's state: its attempt must never trigger the replay penalty below.
    const peeked = await context.store.peekAuthorizationCode(code);
    if (peeked === undefined) throw new InvalidGrantError({ detail: 'unknown or expired code' });
    checkCodeClient(peeked.record, client.clientId);
    if (peeked.state === 'unused') checkCodeBinding(peeked.record, redirectUri, verifier);

    // Then used atomically: of two concurrent redemptions one wins; a second presentation of a used
    // code by its client revokes the grant and every token issued from it (done by the store, which
    // checks the client again in the same step). Under a concurrent replay the winner may therefore be
    // refused below (grant gone) or hand out tokens that are already dead: either way the code buys no
    // live token once its client has presented it twice.
    const redemption = await context.store.redeemAuthorizationCode(code, client.clientId);
    if (redemption.outcome === 'unknown') throw new InvalidGrantError({ detail: 'unknown or expired code' });
    if (redemption.outcome === 'foreign')
      throw new InvalidGrantError({ detail: 'code was issued to another client' });
    if (redemption.outcome === 'replayed') {
      context.log.warn(
        { client_id: client.clientId, grant_id: redemption.record.grantId },
        'authorization code replayed: grant revoked',
      );
      throw new InvalidGrantError({ detail: 'code already redeemed; its grant has been revoked' });
    }
    const record = redemption.record;

    const grant = await context.store.findGrant(record.grantId);
    if (grant === undefined) throw new InvalidGrantError({ detail: 'the grant was revoked or has expired' });

    const requested = parseScope(record.scope) ?? [];
    const check = checkScopes({ requested, roles: certificate.roles, grantType: 'authorization_code' });
    if (!check.ok) throw scopeRefusal(check);
    const scope = formatScope(check.scopes);
    const payment = await paymentConsentOf(context, grant, check.scopes);

    const accessToken = generateOpaqueToken();
    const access = accessTokenRecord(context, {
      scope,
      subject: grant.subject,
      grantId: grant.grantId,
      ...(payment === undefined ? {} : { lifetimeSeconds: context.settings.paymentAccessTokenTtlSeconds }),
    });
    await context.store.saveAccessToken(accessToken, access);
    context.grantUse.record(grant.grantId, context.nowSeconds);
    if (payment !== undefined) {
      await bindPaymentToken(context, payment, accessToken, access);
      // RFC 9396 §7: the authorization server "MUST also return the authorization details as granted by
      // the resource owner and assigned to the respective access token".
      return { ...tokenResponse(accessToken, access), authorization_details: payment.authorizationDetails };
    }

    const refreshScopes = scopesForRefresh(check.scopes);
    let refreshToken: string | undefined;
    if (refreshScopes.length > 0 && client.metadata.grantTypes.includes('refresh_token')) {
      refreshToken = generateOpaqueToken();
      const refresh: RefreshTokenRecord = {
        grantId: grant.grantId,
        clientId: client.clientId,
        scope: formatScope(refreshScopes),
        issuedAt: context.nowSeconds,
        expiresAt: grant.expiresAt,
        certificateThumbprint: certificate.x5tS256,
      };
      await context.store.saveRefreshToken(refreshToken, refresh);
    }
    return tokenResponse(accessToken, access, refreshToken);
  },
);

/** RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential client". */
function checkCodeClient(record: AuthorizationCodeRecord, clientId: string): void {
  if (record.clientId !== clientId)
    throw new InvalidGrantError({ detail: `code was issued to client ${record.clientId}` });
}

/** RFC 6749 §4.1.3 and RFC 7636 §4.6: the code belongs to this redirect URI and this verifier. */
function checkCodeBinding(
  record: AuthorizationCodeRecord,
  redirectUri: string,
  verifier: string | undefined,
): void {
  if (record.redirectUri !== redirectUri) {
    throw new InvalidGrantError({ detail: 'redirect_uri differs from the authorization request' });
  }
  if (record.codeChallenge !== undefined) {
    if (verifier === undefined)
      throw new InvalidRequestError({ description: 'The code_verifier parameter is missing.' });
    if (!verifyS256(verifier, record.codeChallenge))
      throw new InvalidGrantError({ detail: 'PKCE verification failed' });
  } else if (verifier !== undefined) {
    // A verifier for a code issued without a challenge: a PKCE downgrade attempt (OAuth 2.0 Security BCP §4.8).
    throw new InvalidGrantError({ detail: 'code_verifier sent for a code without a challenge' });
  }
}
