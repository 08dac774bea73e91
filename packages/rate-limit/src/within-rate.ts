import {
  InvalidRequestError,
  isDependencyUnavailable,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';
import type { RateLimiter } from './rate-limit.js';

/**
 * One hit for `key`, as an API endpoint answers it: beyond the limit, 429 with Retry-After (RFC 6585
 * §4) in the OAuth error JSON. Fails closed: without the shared counter the limit could not hold
 * across replicas, so an unavailable Redis is 503 (the one classifier decides what is unavailable).
 */
export async function withinRateLimit(
  limiter: RateLimiter,
  key: string,
  /** What is counted, for the client's error_description: "registration requests from this organisation". */
  what: string,
): Promise<void> {
  let decision: Awaited<ReturnType<RateLimiter['hit']>>;
  try {
    decision = await limiter.hit(key);
  } catch (error) {
    if (isDependencyUnavailable(error)) {
      throw new TemporarilyUnavailableError({ detail: 'rate limiter unavailable', cause: error });
    }
    throw error;
  }
  if (!decision.allowed) {
    throw new InvalidRequestError({
      status: 429,
      description: `Too many ${what}; retry after ${decision.retryAfterSeconds} seconds.`,
      headers: { 'Retry-After': String(decision.retryAfterSeconds) },
    });
  }
}
