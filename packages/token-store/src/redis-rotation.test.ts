import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { grant, owner, refreshRecord, rotation } from './contract-fixtures.js';
import { tokenStoreKeys } from './redis-keys.js';
import { createRedisTokenStore } from './redis-store.js';
import { generateOpaqueToken } from './secrets.js';

/*
 * What the contract suite cannot see of rotation in steps (redis-rotation.ts): the successors are
 * stored before the decision, and removed again when the rotation does not happen.
 */

const keyPrefix = createIsolatedRedisPrefix('token-store-rotation');
const keys = tokenStoreKeys(keyPrefix);
const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix });
const raw = new Redis(testRedisUrl());

afterAll(async () => {
  const stored = await raw.keys(`${keyPrefix}*`);
  if (stored.length > 0) await raw.del(...stored);
  raw.disconnect();
  await store.close();
});

async function successorKeysStored(request: ReturnType<typeof rotation>): Promise<number> {
  return raw.exists(keys.refresh(request.next.refreshToken), keys.access(request.next.accessToken));
}

describe('refresh rotation on Redis, in single-key steps', () => {
  it('keeps the successors of a rotation that happened', async () => {
    const g = grant('client-rotation-kept');
    await store.createGrant(g);
    const token = generateOpaqueToken();
    await store.saveRefreshToken(token, refreshRecord(g));
    const request = rotation(g);
    expect(await store.rotateRefreshToken(token, request)).toBe('rotated');
    expect(await successorKeysStored(request)).toBe(2);
  });

  it('leaves no successor behind when the rotation is refused, unknown, revoked or reuse', async () => {
    const g = grant('client-rotation-dropped');
    await store.createGrant(g);
    const token = generateOpaqueToken();
    await store.saveRefreshToken(token, refreshRecord(g));
    const foreign = rotation(g, { presenter: { ...owner(g), clientId: 'someone-else' } });
    expect(await store.rotateRefreshToken(token, foreign)).toBe('refused');
    expect(await successorKeysStored(foreign)).toBe(0);
    const unknown = rotation(g);
    expect(await store.rotateRefreshToken(generateOpaqueToken(), unknown)).toBe('unknown');
    expect(await successorKeysStored(unknown)).toBe(0);
    expect(await store.rotateRefreshToken(token, rotation(g))).toBe('rotated');
    const reuse = rotation(g);
    expect(await store.rotateRefreshToken(token, reuse)).toBe('reused');
    expect(await successorKeysStored(reuse)).toBe(0);
    const revoked = rotation(g);
    expect(await store.rotateRefreshToken(token, revoked)).toBe('revoked');
    expect(await successorKeysStored(revoked)).toBe(0);
  });
});
