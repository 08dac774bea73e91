import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import type { SessionData, SessionStore } from './session.js';
import { createMemorySessionStore, createRedisSessionStore } from './stores.js';

const data: SessionData = {
  version: 1,
  csrf: 'csrf',
  flow: 'bank',
  lang: 'fr',
  request: { clientId: 'c', redirectUri: 'https://tpp.example/cb', scope: 'aisp' },
  client: { name: 'n', organizationId: 'o', organizationName: 'on', ncaId: 'nca' },
  stage: 'password',
};

const prefix = createIsolatedRedisPrefix('authz-sessions');
const redis = new Redis(testRedisUrl());
const stores: SessionStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['in process', () => createMemorySessionStore({ idleSeconds: 1 })],
  ['Redis', () => createRedisSessionStore({ url: testRedisUrl(), keyPrefix: prefix, idleSeconds: 1 })],
] as const)('%s session store', (_name, make) => {
  const store = make();
  stores.push(store);

  it('creates, loads, saves and destroys by an unguessable id', async () => {
    const id = await store.create(data);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(await store.load(id)).toEqual(data);
    await store.save(id, { ...data, stage: 'otp' });
    expect((await store.load(id))?.stage).toBe('otp');
    await store.destroy(id);
    expect(await store.load(id)).toBeUndefined();
    expect(await store.load('not-an-id')).toBeUndefined();
  });

  it('slides the expiry on every load and forgets an idle session; save never revives it', async () => {
    const id = await store.create(data);
    for (let step = 0; step < 3; step += 1) {
      await sleep(600);
      expect(await store.load(id)).toBeDefined();
    }
    await sleep(1300);
    expect(await store.load(id)).toBeUndefined();
    await store.save(id, data);
    expect(await store.load(id)).toBeUndefined();
  });
});

describe('Redis session keys', () => {
  it('are the SHA-256 of the id, never the id', async () => {
    const store = createRedisSessionStore({ url: testRedisUrl(), keyPrefix: prefix, idleSeconds: 60 });
    stores.push(store);
    const id = await store.create(data);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toContain(id);
    expect(keys.every((key) => key.startsWith(`${prefix}authz:s:`))).toBe(true);
    await store.destroy(id);
  });
});
