/**
 * The store could not be reached in time (Redis down, network cut, command timeout). Callers turn it
 * into `temporarily_unavailable` / 503; it never means "token not found".
 */
export class TokenStoreUnavailableError extends Error {
  readonly code = 'TOKEN_STORE_UNAVAILABLE';

  constructor(cause: unknown) {
    super('token store unavailable', { cause });
    this.name = 'TokenStoreUnavailableError';
  }
}
