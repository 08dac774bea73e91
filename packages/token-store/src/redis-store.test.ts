import { describe, expect, it } from '@jest/globals';
import {
  createIsolatedRedisPrefix,
  exhaustMemory,
  freePort,
  ownRedisServer,
  testRedisUrl,
} from '@psd2/testing';
import { Redis } from 'ioredis';
import { describeTokenStoreContract } from './contract.js';
import { grant, owner, refreshRecord, rotation } from './contract-fixtures.js';
import { TokenStoreUnavailableError } from './errors.js';
import { createRedisTokenStore } from './redis-store.js';
import { generateOpaqueToken, hashSecret } from './secrets.js';
import { dumpKeysAndValues } from './storage-dump.test-support.js';

const keyPrefix = createIsolatedRedisPrefix('token-store');

describeTokenStoreContract('Redis', async (clock) => {
  const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix, now: clock.now });
  const inspector = new Redis(testRedisUrl());
  return {
    store,
    async dumpStorage() {
      return dumpKeysAndValues(inspector, await inspector.keys(`${keyPrefix}*`));
    },
    async dispose() {
      const keys = await inspector.keys(`${keyPrefix}*`);
      if (keys.length > 0) await inspector.del(...keys);
      await store.close();
      inspector.disconnect();
    },
  };
});

describe('Redis token store when Redis is unreachable', () => {
  it('fails fast with a typed error instead of hanging', async () => {
    const store = createRedisTokenStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 500,
    });
    const started = Date.now();
    await expect(store.findAccessToken(generateOpaqueToken())).rejects.toBeInstanceOf(
      TokenStoreUnavailableError,
    );
    await expect(store.ping()).rejects.toBeInstanceOf(TokenStoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    await store.close();
  });
});

describe('Redis token store when Redis refuses for now', () => {
  it('an OOM (full, noeviction) or READONLY (a replica) reply is unavailable, not a bug', async () => {
    const full = await ownRedisServer();
    const replica = await ownRedisServer({ args: ['--replicaof', '127.0.0.1', String(await freePort())] });
    const stores = [full, replica].map((server) => createRedisTokenStore({ url: server.url }));
    try {
      await exhaustMemory(full.url);
      for (const store of stores) {
        await expect(store.revokeClient('some-client')).rejects.toBeInstanceOf(TokenStoreUnavailableError);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await full.stop();
      await replica.stop();
    }
  });
});

describe('Redis refresh records written before certificate binding', () => {
  it('refuses an active one and treats a rotated one as reuse', async () => {
    const prefix = createIsolatedRedisPrefix('token-store-legacy');
    const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix: prefix });
    const raw = new Redis(testRedisUrl());
    try {
      const g = grant('client-legacy');
      await store.createGrant(g);
      const { certificateThumbprint: _none, ...legacy } = refreshRecord(g);
      const [active, rotated] = [generateOpaqueToken(), generateOpaqueToken()];
      await raw.set(`${prefix}r:${hashSecret(active)}`, `A${JSON.stringify(legacy)}`, 'EX', 600);
      await raw.set(`${prefix}r:${hashSecret(rotated)}`, `U${JSON.stringify(legacy)}`, 'EX', 600);

      expect(await store.lookupRefreshToken(rotated)).toEqual({ state: 'rotated', record: legacy });
      const grace = { reuseGraceSeconds: 60, presenter: owner(g) };
      expect(await store.rotateRefreshToken(active, rotation(g, grace))).toBe('refused');
      expect(await store.findGrant(g.grantId)).toEqual(g);
      expect(await store.rotateRefreshToken(rotated, rotation(g, grace))).toBe('reused');
      expect(await store.findGrant(g.grantId)).toBeUndefined();
    } finally {
      const keys = await raw.keys(`${prefix}*`);
      if (keys.length > 0) await raw.del(...keys);
      raw.disconnect();
      await store.close();
    }
  });
});
