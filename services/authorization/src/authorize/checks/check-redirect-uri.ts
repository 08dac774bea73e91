import type { RegisteredClient } from '@psd2/client-registry-client';
import { PageError } from '../errors.js';
import { type RawParams, single } from '../params.js';

/**
 * check_redirect_uri: exact string comparison with a registered URI (RFC 6749 §3.1.2.3, RFC 9700
 * §4.1.3), and required even when only one is registered, so that the token request's redirect_uri
 * check always has something to compare. A failure is a page: redirecting to an unverified URI would
 * make this server an open redirector (RFC 6749 §10.15).
 */
export function checkRedirectUri(params: RawParams, client: RegisteredClient): string {
  let redirectUri: string | undefined;
  try {
    redirectUri = single(params, 'redirect_uri');
  } catch {
    throw new PageError('invalid_redirect_uri', 400, 'redirect_uri repeated');
  }
  if (redirectUri === undefined) throw new PageError('invalid_redirect_uri', 400, 'redirect_uri missing');
  if (!client.metadata.redirectUris.includes(redirectUri)) {
    throw new PageError('invalid_redirect_uri', 400, 'redirect_uri not registered for the client');
  }
  return redirectUri;
}
