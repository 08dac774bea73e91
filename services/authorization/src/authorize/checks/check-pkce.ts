import { InvalidRequestError } from '@psd2/oauth-errors';
import { type RawParams, single } from '../params.js';

// RFC 7636 §4.2: 43 to 128 unreserved characters; an S256 challenge is exactly 43 (base64url of 32 bytes).
const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * check_pkce: RFC 7636 with S256 only; `plain` gives no protection against a stolen code (RFC 9700
 * §2.1.1). Required unless configuration says otherwise.
 */
export function checkPkce(params: RawParams, required: boolean): string | undefined {
  const challenge = single(params, 'code_challenge');
  const method = single(params, 'code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) {
      throw new InvalidRequestError({
        description: 'code_challenge_method was sent without code_challenge.',
      });
    }
    if (required)
      throw new InvalidRequestError({ description: 'PKCE is required: send code_challenge with S256.' });
    return undefined;
  }
  // RFC 7636 §4.3: an absent method means `plain`, which is refused like an explicit one.
  if (method !== 'S256') {
    throw new InvalidRequestError({ description: 'code_challenge_method must be S256.' });
  }
  if (!CHALLENGE.test(challenge))
    throw new InvalidRequestError({ description: 'code_challenge is malformed.' });
  return challenge;
}
