import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { countGrantKeys } from './active-grants.js';

const prefix = createIsolatedRedisPrefix('active-grants');
let redis: Redis;

beforeAll(async () => {
  // A logical database of its own: the shared test database holds a million benchmark tokens, far
  // more than the exact-count budget below covers.
  redis = new Redis(testRedisUrl(), { db: 14 });
  const pipeline = redis.pipeline();
  for (let index = 0; index < 5; index += 1) pipeline.set(`${prefix}g:grant-${index}`, '{}', 'EX', 60);
  // Keys of other kinds under the same prefix, and grants of another deployment, do not count.
  pipeline.set(`${prefix}a:token`, 'x', 'EX', 60);
  pipeline.set(`${prefix}r:token`, 'x', 'EX', 60);
  pipeline.set(`${prefix}other:g:grant`, 'x', 'EX', 60);
  await pipeline.exec();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('countGrantKeys', () => {
  it("counts exactly this prefix's grant keys when the scan completes within its budget", async () => {
    expect(await countGrantKeys(redis, prefix, 100)).toBe(5);
  });

  it('estimates from the keys visited when the budget runs out', async () => {
    const estimate = await countGrantKeys(redis, prefix, 1);
    expect(Number.isInteger(estimate)).toBe(true);
    expect(estimate).toBeGreaterThanOrEqual(0);
    expect(estimate).toBeLessThanOrEqual(await redis.dbsize());
  });
});
