import type { RegisteredClient } from '@psd2/client-registry-client';
import {
  InvalidRequestError,
  UnauthorizedClientError,
  UnsupportedResponseTypeError,
} from '@psd2/oauth-errors';
import { type RawParams, single } from '../params.js';

/**
 * check_response_type: only the authorization code flow (RFC 6749 §4.1; the implicit flow is
 * deprecated by RFC 9700 §2.1.2), and only for a client registered for it.
 */
export function checkResponseType(params: RawParams, client: RegisteredClient): void {
  const responseType = single(params, 'response_type');
  if (responseType === undefined) {
    throw new InvalidRequestError({ description: 'The parameter "response_type" is required.' });
  }
  if (responseType !== 'code') {
    throw new UnsupportedResponseTypeError({ description: 'Only response_type=code is supported.' });
  }
  const { responseTypes, grantTypes } = client.metadata;
  if (!responseTypes.includes('code') || !grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClientError({
      description: 'The client is not registered for the authorization code grant.',
    });
  }
}
