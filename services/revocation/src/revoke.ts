import type { ClientCertificateResolver } from '@psd2/certificates';
import { authenticateTlsClient, readClientCertificate } from '@psd2/client-authentication';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { type FormBody, formParam, noStore, requiredFormParam } from '@psd2/http';
import { InvalidGrantError } from '@psd2/oauth-errors';
import type { TokenStore } from '@psd2/token-store';
import type { NextFunction, Request, Response } from 'express';

export interface RevocationDependencies {
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
}

type Revocation = 'revoked' | 'not-found';

/**
 * RFC 7009 §2.1: the client authenticates as at the token endpoint, and may revoke only its own
 * tokens. Revoking a refresh token revokes its whole grant, so every access token of it stops at once
 * (§2.1 "SHOULD also invalidate all access tokens based on the same authorization grant"); revoking
 * an access token revokes that token alone. A token that is unknown, expired or already revoked
 * gets the same empty 200 as a successful revocation (§2.2), so the endpoint reveals nothing.
 */
export function revocationEndpoint(deps: RevocationDependencies) {
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

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      noStore(res);
      const body = (req.body ?? {}) as FormBody;
      const { client } = await authenticateTlsClient({
        clientId: formParam(body, 'client_id'),
        certificate: readClientCertificate(deps.certificates, {
          remoteAddress: req.socket.remoteAddress,
          header: req.headers['x-forwarded-client-cert'],
        }),
        registry: deps.registry,
      });
      res.locals.logFields.client_id = client.clientId;
      res.locals.logFields.organization_id = client.organizationId;

      const token = requiredFormParam(body, 'token');
      // §2.1: the hint only decides where to look first; a wrong or unknown hint still finds the token.
      const refreshFirst = formParam(body, 'token_type_hint') === 'refresh_token';
      const order = refreshFirst
        ? [revokeRefreshToken, revokeAccessToken]
        : [revokeAccessToken, revokeRefreshToken];
      let outcome: Revocation = 'not-found';
      for (const attempt of order) {
        outcome = await attempt(token, client.clientId);
        if (outcome === 'revoked') break;
      }
      res.locals.logFields.revocation = outcome;
      res.status(200).end();
    } catch (error) {
      next(error);
    }
  };
}
