import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { grant, nowSeconds } from './contract-fixtures.js';
import { createRedisTokenStore } from './redis-store.js';

/* What the contract suite cannot see of grant usage on Redis: the key and its TTL. */

const keyPrefix = createIsolatedRedisPrefix('token-store-grant-usage');
const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix });
const raw = new Redis(testRedisUrl());

afterAll(async () => {
  const keys = await raw.keys(`${keyPrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
  await store.close();
});

describe('grant usage on Redis', () => {
  it("keeps u:{<prefix>g:<grantId>} exactly as long as the grant's key lives", async () => {
    const g = grant('client-usage-ttl', { expiresAt: nowSeconds() + 3600 });
    await store.createGrant(g);
    const at = nowSeconds();
    await store.recordGrantUse(g.grantId, at);
    const usage = `${keyPrefix}u:{${keyPrefix}g:${g.grantId}}`;
    expect(await raw.get(usage)).toBe(String(at));
    const [grantTtl, usageTtl] = [await raw.ttl(`${keyPrefix}g:${g.grantId}`), await raw.ttl(usage)];
    expect(usageTtl).toBeGreaterThan(3590);
    expect(usageTtl).toBeLessThanOrEqual(grantTtl);
  });
});
