import { InvalidRequestError } from '@psd2/oauth-errors';
import type { RawParams } from '../params.js';

/**
 * Parameters of RFC 6749 §4.1.1, RFC 7636 and OpenID Connect's ui_locales that this endpoint reads, and
 * so all that a pushed request (RFC 9126) keeps.
 */
export const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'ui_locales',
] as const;

/**
 * check_parameters: none repeated (RFC 6749 §3.1). Unknown parameters are ignored, as §3.1 asks; but a
 * `request` object (RFC 9101) is refused rather than silently ignored, since a client sending it expects
 * its content to be honoured. A `request_uri` of /oauth2/par is resolved before (resolve.ts); one that
 * reaches this check sits inside a pushed request, which RFC 9126 §2.1 forbids.
 */
export function checkParameters(params: RawParams): void {
  for (const name of AUTHORIZATION_PARAMETERS) {
    if (Array.isArray(params[name])) {
      throw new InvalidRequestError({ description: `The parameter "${name}" must be given once.` });
    }
  }
  if (params.request !== undefined || params.request_uri !== undefined) {
    throw new InvalidRequestError({ description: 'Request objects (RFC 9101) are not supported.' });
  }
}
