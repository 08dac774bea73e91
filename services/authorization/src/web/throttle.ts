import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { RateLimiter } from '@psd2/rate-limit';
import { PageError } from '../authorize/errors.js';

/*
 * The pages' flood limits: sessions opened per client address, and sign-in posts per client address and
 * per authorization request. Each sign-in post costs a scrypt check, each page load a Redis session: the
 * limits keep one party's flood from costing other PSUs anything.
 */

export interface PageThrottles {
  /** GETs of the two authorization endpoints (each one opens a session), per client address. */
  readonly sessionsPerAddress: RateLimiter;
  /** Sign-in and one-time-code posts, per client address. */
  readonly signInPerAddress: RateLimiter;
  /** Sign-in and one-time-code posts, per authorization request (the session's flowId). */
  readonly signInPerSession: RateLimiter;
  /**
   * Pushes to /oauth2/par, per TPP organisation: each stores a pushed request and, with a payment, a
   * payment request kept a day for the payment API, so an authenticated TPP's flood is bounded too.
   */
  readonly pushedRequestsPerOrganisation: RateLimiter;
}

/**
 * The key of a client address as the services see it (the request's `clientAddress`, express's
 * `req.ip`, which trusts X-Forwarded-For only as written by the edge). An IPv6 client is counted by
 * its /64, which one subscriber usually holds whole: counting single addresses would let it change
 * address at every request.
 */
export function clientAddressKey(clientAddress: string | undefined): string {
  const address = clientAddress ?? 'unknown';
  if (!isIPv6(address) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Counts one request against `limiter`; the 429 page beyond the limit, the 503 page if the counter is down. */
export async function throttle(limiter: RateLimiter, key: string, what: string): Promise<void> {
  let decision: Awaited<ReturnType<RateLimiter['hit']>>;
  try {
    decision = await limiter.hit(key);
  } catch (error) {
    throw new PageError('unavailable', 503, 'rate limiter unavailable', { cause: error });
  }
  if (!decision.allowed) {
    throw new PageError('too_many_requests', 429, `${what} over its limit`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

/** Each sign-in or code post costs a slow hash or a code check: bounded per client address and per request. */
export async function throttleSignIn(
  throttles: PageThrottles,
  clientAddress: string | undefined,
  flowId: string,
): Promise<void> {
  await throttle(throttles.signInPerAddress, clientAddressKey(clientAddress), 'sign-in posts of an address');
  const flowKey = createHash('sha256').update(flowId).digest('base64url');
  await throttle(throttles.signInPerSession, flowKey, 'sign-in posts of a session');
}
