import type { ClientCertificateResolver } from '@psd2/certificates';
import {
  authenticateClientRequest,
  certificateCaller,
  refuseSuspendedScopes,
} from '@psd2/client-authentication';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { defineEndpoint, type Endpoint, FORM_POST, formSchema, json, type RequestBasics } from '@psd2/http';
import { type RateLimiter, withinRateLimit } from '@psd2/rate-limit';
import { generateRequestUri, newPaymentRequest, type TokenStore } from '@psd2/token-store';
import { checkPushedRequest } from './pushed-request.js';

/** RFC 9126 §2.2: "a short lifetime ... between 5 and 600 seconds"; a browser redirect takes seconds. */
export const REQUEST_URI_LIFETIME_SECONDS = 60;

export interface PushedAuthorizationDependencies {
  readonly registry: Pick<ClientRegistry, 'getClient'>;
  readonly certificates: ClientCertificateResolver;
  readonly tokenStore: Pick<TokenStore, 'createPaymentRequest' | 'savePushedRequest'>;
  readonly pkceRequired: boolean;
  readonly throttles: { readonly pushedRequestsPerOrganisation: RateLimiter };
  /** How long the customer has to approve a pushed payment. */
  readonly paymentRequestSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

/** client_id for the authentication; everything else read by checkPushedRequest. */
const PAR_REQUEST = formSchema({ client_id: 'optional' }, { others: 'keep' });

/**
 * `POST /oauth2/par` (RFC 9126): the client authenticates as at the token endpoint (RFC 9126 §2: "the
 * client MUST authenticate ... using the same method it uses at the token endpoint": tls_client_auth),
 * pushes its authorization request, and gets the single-use `request_uri` its customer's browser
 * takes to the authorization page. Payment details (RFC 9396) become a pending payment request.
 */
export function pushedAuthorizationEndpoint(deps: PushedAuthorizationDependencies): Endpoint {
  const qwacOf = certificateCaller(deps.certificates);
  return defineEndpoint({
    ...FORM_POST,
    path: '/oauth2/par',
    input: { body: PAR_REQUEST },
    // No QWAC, no reading of the body; then the organisation's rate, before any registry or store work.
    caller: async (request: RequestBasics) => {
      const qwac = qwacOf(request);
      await withinRateLimit(
        deps.throttles.pushedRequestsPerOrganisation,
        qwac.organizationIdentifier,
        'pushed authorization requests from this organisation',
      );
      return qwac;
    },
    handle: async (request) => {
      // With tls_client_auth, client_id names the client the certificate must belong to: a client_id of
      // another client fails the authentication (RFC 9126 §2.1, RFC 8705 §2).
      const { client } = await authenticateClientRequest(request, request.body.client_id, deps);
      const pushed = checkPushedRequest(request.body, client, deps);
      refuseSuspendedScopes(
        client,
        pushed.parameters.scope ?? (pushed.detail === undefined ? undefined : 'pisp'),
      );
      const now = Math.floor((deps.now ?? Date.now)() / 1000);
      let paymentRequestId: string | undefined;
      if (pushed.detail !== undefined) {
        const record = newPaymentRequest({
          clientId: client.clientId,
          detail: pushed.detail,
          origin: 'pushed',
          now,
          lifetimeSeconds: deps.paymentRequestSeconds,
        });
        await deps.tokenStore.createPaymentRequest(record);
        paymentRequestId = record.paymentRequestId;
        request.fields.payment_request_id = paymentRequestId;
      }
      const requestUri = generateRequestUri();
      await deps.tokenStore.savePushedRequest(requestUri, {
        clientId: client.clientId,
        parameters: pushed.parameters,
        ...(paymentRequestId === undefined ? {} : { paymentRequestId }),
        expiresAt: now + REQUEST_URI_LIFETIME_SECONDS,
      });
      // RFC 9126 §2.2: 201 Created; the request_uri is a credential of sorts, never cached.
      return json(
        { request_uri: requestUri, expires_in: REQUEST_URI_LIFETIME_SECONDS },
        { status: 201, headers: { 'Cache-Control': 'no-store' } },
      );
    },
  });
}
