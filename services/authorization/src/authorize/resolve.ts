import { isClientId } from '@psd2/client-registry-client';
import type { TokenStore } from '@psd2/token-store';
import { PageError } from './errors.js';
import type { RawParams } from './params.js';
import type { RequestSource } from './validate.js';

/*
 * Where an authorization request's parameters come from: the query itself, a request pushed to
 * /oauth2/par (RFC 9126 §4: `client_id` + `request_uri`), or the bank payment API's consent URL
 * (`payment_request_id`, the TPP adding redirect_uri, state and PKCE).
 */

export interface ResolvedRequest {
  readonly params: RawParams;
  readonly source: RequestSource;
  /** The payment request the request carries, still to be loaded and checked (payment.ts). */
  readonly paymentRequestId?: string;
}

/** Longer than any id this server makes: refused before a store lookup. */
const MAX_REFERENCE_LENGTH = 128;

function reference(query: RawParams, name: string, kind: 'request_uri' | 'payment_request'): string {
  const value = query[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REFERENCE_LENGTH) {
    throw new PageError(kind, 400, `${name} repeated, empty or too long`);
  }
  return value;
}

export async function resolveRequest(
  query: RawParams,
  store: Pick<TokenStore, 'usePushedRequest'>,
): Promise<ResolvedRequest> {
  if (query.request_uri !== undefined) {
    const requestUri = reference(query, 'request_uri', 'request_uri');
    const clientId = query.client_id;
    if (typeof clientId !== 'string' || !isClientId(clientId)) {
      throw new PageError('unknown_client', 400, 'client_id missing or malformed with request_uri');
    }
    // RFC 9126 §4: "the authorization server MUST only accept ... parameters of the pushed request"
    // and the request_uri is bound to the client that pushed it; single use (§2.2). Which client, if
    // any, cannot be trusted from the query: every refusal here is a page, never a redirect.
    const used = await store.usePushedRequest(requestUri, clientId);
    if (used.outcome !== 'used') {
      throw new PageError('request_uri', 400, `request_uri ${used.outcome}`);
    }
    const { parameters, paymentRequestId } = used.record;
    return {
      params: parameters,
      source: { pushed: true, payment: paymentRequestId !== undefined },
      ...(paymentRequestId === undefined ? {} : { paymentRequestId }),
    };
  }
  if (query.payment_request_id !== undefined) {
    const paymentRequestId = reference(query, 'payment_request_id', 'payment_request');
    // Registered by the bank's own payment API: as trusted as a pushed request.
    return { params: query, source: { pushed: true, payment: true }, paymentRequestId };
  }
  return { params: query, source: { pushed: false, payment: false } };
}
