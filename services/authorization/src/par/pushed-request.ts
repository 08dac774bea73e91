import type { RegisteredClient } from '@psd2/client-registry-client';
import { InvalidRequestError } from '@psd2/oauth-errors';
import { type PaymentInitiationDetail, parseAuthorizationDetails } from '@psd2/payment-details';
import { formatScope } from '@psd2/scopes';
import { AUTHORIZATION_PARAMETERS } from '../authorize/checks/check-parameters.js';
import { checkRedirectUri } from '../authorize/checks/check-redirect-uri.js';
import { readState } from '../authorize/checks/check-state.js';
import { PageError } from '../authorize/errors.js';
import { type RawParams, single } from '../authorize/params.js';
import { checkRequest } from '../authorize/validate.js';

/** What a pushed request keeps for the authorization page: the parameters it reads, nothing else. */
const KEPT = AUTHORIZATION_PARAMETERS;

export interface CheckedPushedRequest {
  /** Single values, the scope in canonical form (pisp spelled out for a payment). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly detail?: PaymentInitiationDetail;
}

/**
 * RFC 9126 §2.1: the pushed request is validated as the authorization endpoint would validate it, but
 * every failure is the endpoint's own JSON error (§2.3): the client is authenticated and waiting for
 * the answer, nothing is redirected.
 */
export function checkPushedRequest(
  form: RawParams,
  client: RegisteredClient,
  options: { readonly pkceRequired: boolean },
): CheckedPushedRequest {
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted."
  const body = Object.fromEntries(Object.entries(form).filter(([, value]) => value !== ''));
  // RFC 9126 §2.1: "The request_uri authorization request parameter ... MUST NOT be provided in this case."
  if (body.request_uri !== undefined) {
    throw new InvalidRequestError({ description: 'request_uri must not be pushed.' });
  }
  let redirectUri: string;
  try {
    redirectUri = checkRedirectUri(body, client);
  } catch (error) {
    if (!(error instanceof PageError)) throw error;
    throw new InvalidRequestError({
      description: 'redirect_uri is required, once, and must be registered for the client.',
      detail: error.detail ?? error.kind,
    });
  }
  const { error: stateError } = readState(body);
  if (stateError !== undefined) throw stateError;
  const rawDetails = single(body, 'authorization_details');
  const detail = rawDetails === undefined ? undefined : parseAuthorizationDetails(rawDetails)[0];
  const { scopes } = checkRequest(body, client, {
    pkceRequired: options.pkceRequired,
    payment: detail !== undefined,
  });
  const parameters: Record<string, string> = {};
  for (const name of KEPT) {
    const value = body[name];
    if (typeof value === 'string') parameters[name] = value;
  }
  parameters.client_id = client.clientId;
  parameters.redirect_uri = redirectUri;
  parameters.scope = formatScope(scopes);
  return { parameters, ...(detail === undefined ? {} : { detail }) };
}
