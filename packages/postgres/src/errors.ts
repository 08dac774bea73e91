import { isDependencyUnavailable } from '@psd2/oauth-errors';

/** The error and its `cause` links: drizzle wraps the driver's error in a DrizzleQueryError. */
export function* errorChain(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** The PostgreSQL SQLSTATE anywhere in the chain, e.g. `23505` for a unique violation. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const candidate of errorChain(error)) {
    if (typeof candidate !== 'object' || candidate === null || !('code' in candidate)) continue;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate.code;
  }
  return undefined;
}

/**
 * Whether the connection a statement failed on should be thrown away: the database is unavailable
 * (the shared rule of @psd2/oauth-errors), except for a statement timeout, which leaves it usable.
 */
export function isConnectionLost(error: unknown): boolean {
  return isDependencyUnavailable(error) && sqlStateOf(error) !== '57014';
}
