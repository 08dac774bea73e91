import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, freePort, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { grant, nowSeconds } from './contract-fixtures.js';
import { TokenStoreUnavailableError } from './errors.js';
import { createRedisTokenStore } from './redis-store.js';
import { generateGrantId, hashSecret } from './secrets.js';

/* What the contract suite cannot see of the grants-by-subject index on Redis: key, TTL, pruning, outages. */

const keyPrefix = createIsolatedRedisPrefix('token-store-grant-index');
const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix });
const raw = new Redis(testRedisUrl());
const day = 24 * 3600;

afterAll(async () => {
  const keys = await raw.keys(`${keyPrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
  await store.close();
});

describe('grants by subject on Redis', () => {
  it("keeps the index under the subject's hash, until its latest grant expires", async () => {
    const subject = `psu-${generateGrantId()}`;
    const index = `${keyPrefix}s:${hashSecret(subject)}`;
    const later = grant('client-index-ttl', { subject, expiresAt: nowSeconds() + 10 * day });
    await store.createGrant(later);
    const ttl = await raw.ttl(index);
    expect(ttl).toBeGreaterThanOrEqual(10 * day - 2);
    expect(ttl).toBeLessThanOrEqual(10 * day);
    // A grant expiring sooner never shortens the index's life; one expiring later lengthens it.
    await store.createGrant(grant('client-index-ttl', { subject, expiresAt: nowSeconds() + day }));
    expect(await raw.ttl(index)).toBeGreaterThanOrEqual(10 * day - 2);
    await store.createGrant(grant('client-index-ttl', { subject, expiresAt: nowSeconds() + 20 * day }));
    expect(await raw.ttl(index)).toBeGreaterThanOrEqual(20 * day - 2);

    const keys = await raw.keys(`${keyPrefix}*`);
    expect(keys.join('\n')).not.toContain(subject);
    expect(await raw.zscore(index, later.grantId)).toBe(String(later.expiresAt));
  });

  it('prunes the ids of ended grants when listing', async () => {
    const subject = `psu-${generateGrantId()}`;
    const index = `${keyPrefix}s:${hashSecret(subject)}`;
    const [kept, revoked, expired] = [
      grant('client-index-prune', { subject }),
      grant('client-index-prune', { subject }),
      grant('client-index-prune', { subject, expiresAt: nowSeconds() + 60 }),
    ];
    for (const g of [kept, revoked, expired]) await store.createGrant(g);
    await store.revokeGrant(revoked.grantId);
    // An entry whose score says it has expired is removed by score, whatever its grant key says.
    await raw.zadd(index, nowSeconds() - 1, expired.grantId);
    expect(await raw.zcard(index)).toBe(3);
    expect(await store.listGrantsOfSubject(subject)).toEqual([kept]);
    expect(await raw.zrange(index, '0', '-1')).toEqual([kept.grantId]);
  });

  it('fails fast with the typed error when Redis is unreachable', async () => {
    const unreachable = createRedisTokenStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 500,
    });
    try {
      await expect(unreachable.listGrantsOfSubject('psu-down')).rejects.toBeInstanceOf(
        TokenStoreUnavailableError,
      );
      await expect(unreachable.createGrant(grant('client-down'))).rejects.toBeInstanceOf(
        TokenStoreUnavailableError,
      );
    } finally {
      await unreachable.close();
    }
  });
});
