import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { InvalidRequestError, OAuthError } from '@psd2/oauth-errors';
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
  /** Without its payment: the caller loads that (the request only names it). */
  readonly request: PendingRequest;
  readonly scopes: readonly string[];
}

/** Where the request came from, as the pages learned it (resolve.ts). */
export interface RequestSource {
  /** Pushed to /oauth2/par, or a payment request registered by the bank's payment API. */
  readonly pushed: boolean;
  /** The request carries a payment (pisp). */
  readonly payment: boolean;
}

/**
 * The checks after the client and its redirect URI, shared by the pages and /oauth2/par. Throws the
 * OAuth error; the caller decides how it reaches the client (a redirect, or PAR's JSON).
 */
export function checkRequest(
  params: RawParams,
  client: RegisteredClient,
  options: { readonly pkceRequired: boolean; readonly payment: boolean },
): { readonly scopes: readonly string[]; readonly codeChallenge: string | undefined } {
  checkParameters(params);
  checkResponseType(params, client);
  const scopes = checkScope(params, client, { payment: options.payment });
  const codeChallenge = checkPkce(params, options.pkceRequired);
  return { scopes, codeChallenge };
}

/**
 * RFC 6749 §4.1.1 validation, one check per module, in the order the RFC implies: first what decides
 * whether the client can be answered at all (client, redirect URI: failures are a page), then every
 * other check, whose failures go back to the client's redirect URI (§4.1.2.1).
 */
export async function validateAuthorizationRequest(
  params: RawParams,
  deps: {
    readonly registry: Pick<ClientRegistry, 'getClient'>;
    readonly pkceRequired: boolean;
    readonly parRequired: boolean;
  },
  source: RequestSource = { pushed: false, payment: false },
): Promise<ValidatedRequest> {
  const client = await checkClient(params, deps.registry);
  const redirectUri = checkRedirectUri(params, client);
  const { state, error: stateError } = readState(params);
  const target = { redirectUri, state };
  try {
    if (stateError !== undefined) throw stateError;
    // RFC 9126 §5 require_pushed_authorization_requests: only pushed requests are accepted.
    if (deps.parRequired && !source.pushed) {
      throw new InvalidRequestError({
        description: 'A pushed authorization request is required: push the request to /oauth2/par first.',
        detail: 'pushed authorization request required',
      });
    }
    // RFC 9396 details reach this server only pushed (or registered by the payment API): a front-channel
    // copy could be changed on its way through the browser.
    if (params.authorization_details !== undefined) {
      throw new InvalidRequestError({
        description:
          'authorization_details are accepted only in a pushed authorization request (/oauth2/par).',
      });
    }
    const checked = checkRequest(params, client, {
      pkceRequired: deps.pkceRequired,
      payment: source.payment,
    });
    return {
      client,
      scopes: checked.scopes,
      request: {
        clientId: client.clientId,
        redirectUri,
        scope: formatScope(checked.scopes),
        ...(state === undefined ? {} : { state }),
        ...(checked.codeChallenge === undefined ? {} : { codeChallenge: checked.codeChallenge }),
      },
    };
  } catch (error) {
    if (error instanceof OAuthError) throw new RedirectError(error, target);
    throw error;
  }
}
