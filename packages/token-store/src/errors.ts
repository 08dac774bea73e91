import { TemporarilyUnavailableError } from '@psd2/oauth-errors';

/**
 * The store could not be reached in time (Redis down, network cut, command timeout). It is the
 * server's temporary problem, so it is an OAuth `temporarily_unavailable` (503) wherever it surfaces,
 * and never reads as "token not found".
 */
export class TokenStoreUnavailableError extends TemporarilyUnavailableError {
  constructor(cause: unknown) {
    super({ detail: 'token store unavailable', cause });
    this.name = 'TokenStoreUnavailableError';
  }
}
