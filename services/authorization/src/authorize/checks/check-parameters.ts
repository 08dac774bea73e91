import { InvalidRequestError } from '@psd2/oauth-errors';
import type { RawParams } from '../params.js';

/** Parameters of RFC 6749 §4.1.1, RFC 7636 and OpenID Connect's ui_locales that this endpoint reads. */
const KNOWN = [
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
 * check_parameters: none repeated (RFC 6749 §3.1). Unknown parameters are ignored, as §3.1 asks; but
 * `request` and `request_uri` (RFC 9101) are refused rather than silently ignored, since a client
 * sending them expects their content to be honoured.
 */
export function checkParameters(params: RawParams): void {
  for (const name of KNOWN) {
    if (Array.isArray(params[name])) {
      throw new InvalidRequestError({ description: `The parameter "${name}" must be given once.` });
    }
  }
  if (params.request !== undefined || params.request_uri !== undefined) {
    throw new InvalidRequestError({ description: 'Request objects (RFC 9101) are not supported.' });
  }
}
