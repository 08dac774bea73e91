import type { ClientCertificateResolver } from '@psd2/certificates';
import { authenticateClientRequest } from '@psd2/client-authentication';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { defineEndpoint, type Endpoint, empty, FORM_POST, formSchema, parseInput } from '@psd2/http';
import { InvalidGrantError } from '@psd2/oauth-errors';
import type { TokenStore } from '@psd2/token-store';

export interface RevocationDependencies {
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
}

type Revocation = 'revoked' | 'not-found';

/** Who asks first (as at the token endpoint); what to revoke once the client is authenticated. */
const CLIENT = formSchema({ client_id: 'optional' }, { others: 'keep' });
const REVOCATION = formSchema({ token: 'required', token_type_hint: 'optional' });

/**
 * RFC 7009 §2.1: the client authenticates as at the token endpoint, and may revoke only its own
 * tokens. Revoking a refresh token revokes its whole grant, so every access token of it stops at once
 * (§2.1 "SHOULD also invalidate all access tokens based on the same authorization grant"); revoking
 * an access token revokes that token alone. A token that is unknown, expired or already revoked
 * gets the same empty 200 as a successful revocation (§2.2), so the endpoint reveals nothing.
 */
export function revocationEndpoint(deps: RevocationDependencies): Endpoint {
  async function revokeAccessToken(token: string, clientId: string): Promise<Revocation> {
    const record = await deps.store.findAccessToken(token);
    if (record === undefined) return 'not-found';
    if (record.clientId !== clientId)
      throw new InvalidGrantError({ detail: `access token belongs to client ${record.clientId}` });
    await deps.store.revokeAccessToken(token);
    return 'revoked';
  }

  async function revokeRefreshToken(token: string, clientId: string): Promise<Revocation> {
    const lookup = await deps.store.lookupRefreshToken(token);
    if (lookup === undefined) return 'not-found';
    if (lookup.record.clientId !== clientId) {
      throw new InvalidGrantError({ detail: `refresh token belongs to client ${lookup.record.clientId}` });
    }
    await deps.store.revokeGrant(lookup.record.grantId);
    return 'revoked';
  }

  return defineEndpoint({
    ...FORM_POST,
    path: '/oauth2/revoke',
    input: { body: CLIENT },
    handle: async (request) => {
      const { client } = await authenticateClientRequest(request, request.body.client_id, deps);
      const { token, token_type_hint: hint } = parseInput(REVOCATION, request.body, 'body');
      // §2.1: the hint only decides where to look first; a wrong or unknown hint still finds the token.
      const order =
        hint === 'refresh_token'
          ? [revokeRefreshToken, revokeAccessToken]
          : [revokeAccessToken, revokeRefreshToken];
      let outcome: Revocation = 'not-found';
      for (const attempt of order) {
        outcome = await attempt(token, client.clientId);
        if (outcome === 'revoked') break;
      }
      request.fields.revocation = outcome;
      return empty(200);
    },
  });
}
