import { isDependencyUnavailable } from '@psd2/oauth-errors';
import { errorChain, sqlStateOf } from '@psd2/postgres';

/*
 * The failures the registry can name. The gRPC layer turns each into one status code, so a caller
 * never sees UNKNOWN for a case that has a name.
 */
export type RegistryErrorCode =
  | 'not_found'
  | 'already_exists'
  | 'invalid_argument'
  | 'version_conflict'
  | 'permission_denied'
  /** An operator suspension of the organisation is in force. */
  | 'organisation_suspended'
  /** An operator suspension of a role whose scope the request asks for is in force. */
  | 'role_suspended'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'aborted';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.code = code;
  }
}

/**
 * Classifies an error thrown while talking to the database. Whether the database is unavailable is the
 * shared rule's call (isDependencyUnavailable, @psd2/oauth-errors); a statement timeout (57014) is a
 * deadline. Returns undefined for a bug (which the gRPC layer reports as INTERNAL) rather than guessing.
 */
export function classifyDatabaseError(error: unknown): RegistryError | undefined {
  for (const candidate of errorChain(error)) {
    if (candidate instanceof RegistryError) return candidate;
  }
  const sqlState = sqlStateOf(error);
  if (isDependencyUnavailable(error)) {
    return sqlState === '57014'
      ? new RegistryError('deadline_exceeded', 'the deadline passed while the database was working', {
          cause: error,
        })
      : new RegistryError('unavailable', 'the client database is unavailable', { cause: error });
  }
  return sqlState === undefined ? undefined : fromSqlState(sqlState, error);
}

function fromSqlState(sqlState: string, error: unknown): RegistryError | undefined {
  if (sqlState === '23505') {
    return new RegistryError('already_exists', 'a client with these values already exists', { cause: error });
  }
  if (sqlState.startsWith('23') || sqlState.startsWith('22')) {
    return new RegistryError('invalid_argument', 'the database refused a value of the request', {
      cause: error,
    });
  }
  if (sqlState === '40001' || sqlState === '40P01') {
    return new RegistryError('aborted', 'a concurrent change interfered; try again', { cause: error });
  }
  return undefined;
}
