import { isDependencyUnavailable, TemporarilyUnavailableError } from '@psd2/oauth-errors';

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

/**
 * Runs a Redis operation. The shared rule (isDependencyUnavailable) decides: a Redis that cannot be
 * reached, timed out or refuses for now (OOM, READONLY, LOADING, ...) is unavailable; any other reply
 * error is a bug and is thrown as it is.
 */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isDependencyUnavailable(error)) throw new TokenStoreUnavailableError(error);
    throw error;
  }
}
