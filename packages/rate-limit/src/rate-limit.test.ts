import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './rate-limit.js';

/* The fixed-window counter, in Redis (shared by replicas) and in process, held to the same behaviour. */

const opened: RateLimiter[] = [];
afterAll(async () => {
  await Promise.all(opened.map((limiter) => limiter.close()));
});

const implementations: [string, (limit: number, windowSeconds: number) => RateLimiter][] = [
  [
    'redis',
    (limit, windowSeconds) => {
      const limiter = createRedisRateLimiter({
        name: 'test',
        limit,
        windowSeconds,
        url: testRedisUrl(),
        keyPrefix: createIsolatedRedisPrefix('rate-limit'),
      });
      opened.push(limiter);
      return limiter;
    },
  ],
  ['memory', (limit, windowSeconds) => createMemoryRateLimiter({ name: 'test', limit, windowSeconds })],
];

describe.each(implementations)('%s rate limiter', (_name, open) => {
  it('allows up to the limit per key, then refuses with the time left in the window', async () => {
    const limiter = open(3, 60);
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.hit('org-a'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions[4]?.retryAfterSeconds).toBeGreaterThan(0);
    expect(decisions[4]?.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another organisation has its own budget.
    expect((await limiter.hit('org-b')).allowed).toBe(true);
  });

  it('counts concurrent hits exactly', async () => {
    const limiter = open(10, 60);
    const decisions = await Promise.all(Array.from({ length: 25 }, () => limiter.hit('burst')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });

  it('starts a new window once the old one ends', async () => {
    const limiter = open(1, 1);
    const started = Date.now();
    expect((await limiter.hit('org')).allowed).toBe(true);
    expect((await limiter.hit('org')).allowed).toBe(false);
    // Polled with a deadline rather than one fixed sleep: a loaded machine only makes it take longer.
    // Every refused poll counts too, so each one waits long enough for the window to be over by then.
    const deadline = started + 10_000;
    let allowed = false;
    while (!allowed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      allowed = (await limiter.hit('org')).allowed;
    }
    expect(allowed).toBe(true);
    // Not before the one-second window could have ended.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});

it('shares one budget between two replicas on one Redis', async () => {
  const keyPrefix = createIsolatedRedisPrefix('rate-limit-shared');
  const replicas = [1, 2].map(() => {
    const limiter = createRedisRateLimiter({
      name: 'test',
      limit: 4,
      windowSeconds: 60,
      url: testRedisUrl(),
      keyPrefix,
    });
    opened.push(limiter);
    return limiter;
  });
  const decisions = await Promise.all(
    Array.from(
      { length: 8 },
      (_, i) => replicas[i % 2]?.hit('org') ?? Promise.reject(new Error('no replica')),
    ),
  );
  expect(decisions.filter((d) => d.allowed)).toHaveLength(4);
});

it('keeps the counters of limiters of different names apart', async () => {
  const keyPrefix = createIsolatedRedisPrefix('rate-limit-names');
  const [first, second] = ['first', 'second'].map((name) => {
    const limiter = createRedisRateLimiter({
      name,
      limit: 1,
      windowSeconds: 60,
      url: testRedisUrl(),
      keyPrefix,
    });
    opened.push(limiter);
    return limiter;
  });
  expect((await first?.hit('same-key'))?.allowed).toBe(true);
  expect((await second?.hit('same-key'))?.allowed).toBe(true);
  expect((await first?.hit('same-key'))?.allowed).toBe(false);
});
