import { afterAll, expect, it } from '@jest/globals';
import { isDependencyUnavailable } from '@psd2/oauth-errors';
import { createIsolatedRedisPrefix, failureOf, freePort, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { createRedisRateLimiter, type RateLimiter } from './rate-limit.js';

/* What the Redis limiter promises beyond counting: where its counters live and how it fails. */

const opened: RateLimiter[] = [];
const inspector = new Redis(testRedisUrl());
afterAll(async () => {
  await Promise.all(opened.map((limiter) => limiter.close()));
  await inspector.quit();
});

function open(options: { url: string; keyPrefix: string; name?: string }): RateLimiter {
  const limiter = createRedisRateLimiter({
    name: options.name ?? 'test',
    limit: 2,
    windowSeconds: 60,
    ...options,
  });
  opened.push(limiter);
  return limiter;
}

it('keeps its counter at <prefix>rl:<name>:<key>, expiring with the window', async () => {
  const keyPrefix = createIsolatedRedisPrefix('rate-limit-key');
  const limiter = open({ url: testRedisUrl(), keyPrefix, name: 'registration' });
  await limiter.hit('org-a');
  await limiter.hit('org-a');
  const key = `${keyPrefix}rl:registration:org-a`;
  expect(await inspector.get(key)).toBe('2');
  const ttl = await inspector.ttl(key);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60);
});

it('refuses with a Retry-After no longer than the window', async () => {
  const limiter = open({ url: testRedisUrl(), keyPrefix: createIsolatedRedisPrefix('rate-limit-retry') });
  const decisions = [await limiter.hit('k'), await limiter.hit('k'), await limiter.hit('k')];
  expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
  expect(decisions[2]?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
  expect(decisions[2]?.retryAfterSeconds).toBeLessThanOrEqual(60);
});

it('fails a hit while Redis is unreachable with an error callers answer 503 for', async () => {
  const limiter = open({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'unreachable:' });
  const failure = await failureOf(limiter.hit('org-a'));
  expect(failure).toBeInstanceOf(Error);
  expect(isDependencyUnavailable(failure)).toBe(true);
});
