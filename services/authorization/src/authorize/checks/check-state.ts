import { InvalidRequestError } from '@psd2/oauth-errors';
import { type RawParams, single } from '../params.js';

const MAX_STATE_LENGTH = 2048;

/**
 * check_state: optional and opaque (RFC 6749 §4.1.1), echoed untouched. A repeated or oversized state
 * cannot be echoed, so it is reported without one.
 */
export function readState(params: RawParams): { state?: string; error?: InvalidRequestError } {
  let state: string | undefined;
  try {
    state = single(params, 'state');
  } catch (error) {
    return { error: error instanceof InvalidRequestError ? error : new InvalidRequestError() };
  }
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    return {
      error: new InvalidRequestError({ description: `state is longer than ${MAX_STATE_LENGTH} characters.` }),
    };
  }
  return state === undefined ? {} : { state };
}
