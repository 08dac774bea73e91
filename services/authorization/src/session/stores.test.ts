import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { MAX_SESSION_BYTES, type Session, type SessionStore, SessionTooLargeError } from './session.js';
import { createMemorySessionStore, createRedisSessionStore } from './stores.js';

const data: Session = {
  version: 2,
  flowId: 'flow',
  csrf: 'csrf',
  flow: 'bank',
  lang: 'fr',
  request: { clientId: 'c', redirectUri: 'https://tpp.example/cb', scope: 'aisp' },
  client: { name: 'n', organizationId: 'o', organizationName: 'on', ncaId: 'nca' },
  stage: 'started',
};
const authenticated: Session = {
  ...data,
  stage: 'authenticated',
  psu: { psuId: 'p', displayName: 'P' },
  authTime: 1,
};
const tooLarge: Session = { ...data, request: { ...data.request, state: 'x'.repeat(MAX_SESSION_BYTES) } };

const prefix = createIsolatedRedisPrefix('authz-sessions');
const redis = new Redis(testRedisUrl());
const stores: SessionStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  redis.disconnect();
});

const redisKey = (id: string) =>
  `${prefix}authz:session:${createHash('sha256').update(id, 'utf8').digest('base64url')}`;

let clock = 1_000_000;
const lifetimes = { idleSeconds: 300, anonymousSeconds: 60 };

describe.each([
  ['in process', () => createMemorySessionStore({ ...lifetimes, now: () => clock })],
  ['Redis', () => createRedisSessionStore({ url: testRedisUrl(), keyPrefix: prefix, ...lifetimes })],
] as const)('%s session store', (_name, make) => {
  const store = make();
  stores.push(store);

  it('creates, loads, saves, takes and destroys by an unguessable id', async () => {
    const id = await store.create(data);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(await store.load(id)).toEqual(data);
    await store.save(id, authenticated);
    expect((await store.load(id))?.stage).toBe('authenticated');
    await store.destroy(id);
    expect(await store.load(id)).toBeUndefined();
    expect(await store.load('not-an-id')).toBeUndefined();
    // Of concurrent takes, exactly one gets the session.
    const once = await store.create(data);
    const taken = await Promise.all([store.take(once), store.take(once), store.take(once)]);
    expect(taken.filter((session) => session !== undefined)).toEqual([data]);
    expect(await store.load(once)).toBeUndefined();
  });

  it('refuses a session beyond the size bound, on create and on save', async () => {
    await expect(store.create(tooLarge)).rejects.toBeInstanceOf(SessionTooLargeError);
    const id = await store.create(data);
    await expect(store.save(id, tooLarge)).rejects.toBeInstanceOf(SessionTooLargeError);
    expect(await store.load(id)).toEqual(data);
  });
});

describe('idle expiry, in process (injected clock)', () => {
  const store = createMemorySessionStore({ ...lifetimes, now: () => clock });

  it('slides on every load, is short while anonymous and the RTS idle time once authenticated', async () => {
    const anonymous = await store.create(data);
    for (let step = 0; step < 3; step += 1) {
      clock += 59_000;
      expect(await store.load(anonymous)).toBeDefined();
    }
    clock += 60_000;
    expect(await store.load(anonymous)).toBeUndefined();
    // save never revives an expired session.
    await store.save(anonymous, data);
    expect(await store.load(anonymous)).toBeUndefined();

    const signedIn = await store.create(authenticated);
    clock += 299_000;
    expect(await store.load(signedIn)).toBeDefined();
    clock += 300_000;
    expect(await store.load(signedIn)).toBeUndefined();
  });

  it('never keeps an anonymous session longer than the idle time', async () => {
    const short = createMemorySessionStore({ idleSeconds: 5, anonymousSeconds: 60, now: () => clock });
    const id = await short.create(data);
    clock += 5_000;
    expect(await short.load(id)).toBeUndefined();
  });
});

describe('idle expiry in Redis (the TTLs Redis enforces)', () => {
  const store = createRedisSessionStore({ url: testRedisUrl(), keyPrefix: prefix, ...lifetimes });
  stores.push(store);

  it('gives anonymous sessions the short TTL, authenticated ones the idle time, and slides it on load', async () => {
    const anonymous = await store.create(data);
    const ttl = await redis.ttl(redisKey(anonymous));
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    const signedIn = await store.create(authenticated);
    expect(await redis.ttl(redisKey(signedIn))).toBeGreaterThan(295);
    // A load pushes the expiry back to the full idle time.
    await redis.expire(redisKey(signedIn), 10);
    expect(await store.load(signedIn)).toEqual(authenticated);
    expect(await redis.ttl(redisKey(signedIn))).toBeGreaterThan(295);
    // Saving an anonymous session as authenticated moves it to the longer idle time.
    await store.save(anonymous, authenticated);
    expect(await redis.ttl(redisKey(anonymous))).toBeGreaterThan(295);
  });

  it('forgets a session when its TTL runs out, and save never revives it', async () => {
    const id = await store.create(data);
    await redis.pexpire(redisKey(id), 20);
    const deadline = Date.now() + 5000;
    while ((await redis.exists(redisKey(id))) === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await store.load(id)).toBeUndefined();
    await store.save(id, data);
    expect(await store.load(id)).toBeUndefined();
    expect(await redis.exists(redisKey(id))).toBe(0);
  });

  it('keys are the SHA-256 of the id, never the id', async () => {
    const id = await store.create(data);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toContain(id);
    expect(keys.every((key) => key.startsWith(`${prefix}authz:session:`))).toBe(true);
    await store.destroy(id);
  });
});
