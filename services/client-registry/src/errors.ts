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

// Socket-level failures: the database host is down, unreachable or cut the connection.
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres reports these as plain Errors without a code.
const UNREACHABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection ended unexpectedly|client has encountered a connection error|cannot use a pool after calling end|client was closed/i;

/** Walks `cause` links: drizzle wraps the driver's error in a DrizzleQueryError. */
function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Classifies an error thrown while talking to the database. Returns undefined for a bug (which the
 * gRPC layer reports as INTERNAL) rather than guessing.
 */
export function classifyDatabaseError(error: unknown): RegistryError | undefined {
  for (const candidate of causes(error)) {
    if (candidate instanceof RegistryError) return candidate;
    const code = codeOf(candidate);
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
      return new RegistryError('unavailable', 'the client database is unreachable', { cause: error });
    }
    if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
      const mapped = fromSqlState(code, error);
      if (mapped !== undefined) return mapped;
    }
    if (candidate instanceof Error && UNREACHABLE_MESSAGES.test(candidate.message)) {
      return new RegistryError('unavailable', 'the client database is unreachable', { cause: error });
    }
  }
  return undefined;
}

function fromSqlState(sqlState: string, error: unknown): RegistryError | undefined {
  // Class 08: connection exception; 57P01-03: the server is shutting down or starting up;
  // 53300: too many connections. All clear up without the caller changing anything.
  if (sqlState.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(sqlState)) {
    return new RegistryError('unavailable', 'the client database is unavailable', { cause: error });
  }
  if (sqlState === '57014') {
    return new RegistryError('deadline_exceeded', 'the deadline passed while the database was working', {
      cause: error,
    });
  }
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
