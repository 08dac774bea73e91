import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { OAuthError } from '@psd2/oauth-errors';
import { formatScope } from '@psd2/scopes';
import type { PendingRequest } from '../session/session.js';
import { checkClient } from './checks/check-client.js';
import { checkParameters } from './checks/check-parameters.js';
import { checkPkce } from './checks/check-pkce.js';
import { checkRedirectUri } from './checks/check-redirect-uri.js';
import { checkResponseType } from './checks/check-response-type.js';
import { checkScope } from './checks/check-scope.js';
import { readState } from './checks/check-state.js';
import { RedirectError } from './errors.js';
import type { RawParams } from './params.js';

export interface ValidatedRequest {
  readonly client: RegisteredClient;
  readonly request: PendingRequest;
  readonly scopes: readonly string[];
}

/**
 * RFC 6749 §4.1.1 validation, one check per module, in the order the RFC implies: first what decides
 * whether the client can be answered at all (client, redirect URI: failures are a page), then every
 * other check, whose failures go back to the client's redirect URI (§4.1.2.1).
 */
export async function validateAuthorizationRequest(
  params: RawParams,
  deps: { readonly registry: Pick<ClientRegistry, 'getClient'>; readonly pkceRequired: boolean },
): Promise<ValidatedRequest> {
  const client = await checkClient(params, deps.registry);
  const redirectUri = checkRedirectUri(params, client);
  const { state, error: stateError } = readState(params);
  const target = { redirectUri, state };
  try {
    if (stateError !== undefined) throw stateError;
    checkParameters(params);
    checkResponseType(params, client);
    const scopes = checkScope(params, client);
    const codeChallenge = checkPkce(params, deps.pkceRequired);
    return {
      client,
      scopes,
      request: {
        clientId: client.clientId,
        redirectUri,
        scope: formatScope(scopes),
        ...(state === undefined ? {} : { state }),
        ...(codeChallenge === undefined ? {} : { codeChallenge }),
      },
    };
  } catch (error) {
    if (error instanceof OAuthError) throw new RedirectError(error, target);
    throw error;
  }
}
