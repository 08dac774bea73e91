import type { QwacIdentity } from '@psd2/certificates';
import { type ClientRegistry, isClientId, type RegisteredClient } from '@psd2/client-registry-client';
import { AccessDeniedError, InvalidTokenError } from '@psd2/oauth-errors';
import { fromRegistryError } from './registry-errors.js';

/*
 * RFC 7592 §2 access to a client's configuration endpoint. Two credentials are needed: the registration
 * access token (RFC 6750 bearer) and a QWAC of the organisation that owns the client. The QWAC has been
 * checked already (401 invalid_client without one). Then:
 *
 *   token malformed, wrong, or for an unknown or deleted client  -> 401 invalid_token   (RFC 7592 §2.1)
 *   token valid, certificate of another organisation               -> 403 access_denied   (RFC 7592 §2.1)
 *   token valid, same organisation                                  -> the operation
 *
 * The registry answers "not valid" alike for an unknown client and a wrong token, in constant time, so a
 * client id of someone else's never answers differently from one that does not exist. Only the holder of
 * a client's current token can learn that the client exists, and that holder knows already. 404 is never
 * used for a client id.
 */

/** RFC 6750 §2.1 b64token; registry tokens are 43 base64url characters. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_TOKEN_LENGTH = 512;

/** The token from an RFC 6750 §2.1 Authorization header, or undefined when there is none usable. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = BEARER.exec(header.trim());
  const token = match?.[1];
  return token === undefined || token.length > MAX_TOKEN_LENGTH ? undefined : token;
}

function invalidToken(detail: string): InvalidTokenError {
  return new InvalidTokenError({
    description: 'The registration access token is not valid for this client.',
    detail,
  });
}

export async function authorizeManagement(input: {
  readonly clientId: string;
  readonly authorization: string | undefined;
  readonly certificate: QwacIdentity;
  readonly registry: Pick<ClientRegistry, 'checkRegistrationAccessToken'>;
}): Promise<RegisteredClient> {
  const token = bearerToken(input.authorization);
  if (token === undefined) {
    throw new InvalidTokenError({
      description: 'A registration access token is required (Authorization: Bearer).',
      detail: 'no usable bearer token',
    });
  }
  if (!isClientId(input.clientId)) throw invalidToken('malformed client id');
  let client: RegisteredClient | undefined;
  try {
    client = await input.registry.checkRegistrationAccessToken(input.clientId, token);
  } catch (error) {
    throw fromRegistryError(error);
  }
  if (client === undefined) throw invalidToken(`token not valid for client ${input.clientId}`);
  if (client.organizationId !== input.certificate.organizationIdentifier) {
    throw new AccessDeniedError({
      description: 'The client certificate belongs to another organisation than this client.',
      detail: `certificate organisation ${input.certificate.organizationIdentifier}, client organisation ${client.organizationId}`,
    });
  }
  return client;
}
