import { describe, expect, it } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { tokenStoreKeys } from './redis-keys.js';
import { generateGrantId, generateOpaqueToken, hashSecret } from './secrets.js';

/*
 * The one script with two keys (grant usage: the grant and its usage) must hash to one slot of a Redis
 * Cluster; every other script and MULTI has a single key (the cluster contract suite would answer
 * CROSSSLOT otherwise). Slots computed as ioredis routes them.
 */

const prefixes = ['psd2:', 'bank-a:psd2:', 'test:1234:'];

describe('Redis key names and hash slots', () => {
  it.each(prefixes)('put a grant and its usage in one slot (prefix %s)', (prefix) => {
    const keys = tokenStoreKeys(prefix);
    for (const grantId of [generateGrantId(), generateGrantId(), 'a-b_c', 'x'.repeat(200)]) {
      const usage = keys.grantUsage(grantId);
      expect(usage).toBeDefined();
      expect(calculateSlot(usage ?? '')).toBe(calculateSlot(keys.grant(grantId)));
    }
  });

  it('give a grant id with a brace no usage key rather than one in another slot', () => {
    const keys = tokenStoreKeys('psd2:');
    expect(keys.grantUsage('{x}')).toBeUndefined();
    expect(keys.grantUsage('a}b')).toBeUndefined();
  });

  it('spread grants, tokens and codes over the slots (no tag shared by a whole deployment)', () => {
    const keys = tokenStoreKeys('psd2:');
    const slots = new Set(
      Array.from({ length: 200 }, () => [
        calculateSlot(keys.grant(generateGrantId())),
        calculateSlot(keys.access(generateOpaqueToken())),
        calculateSlot(keys.refresh(generateOpaqueToken())),
        calculateSlot(keys.code(generateOpaqueToken())),
      ]).flat(),
    );
    expect(slots.size).toBeGreaterThan(700);
  });

  it('keep the key names of single-Redis deployments, except the usage key', () => {
    const keys = tokenStoreKeys('psd2:');
    expect(keys.grant('G')).toBe('psd2:g:G');
    expect(keys.client('C')).toBe('psd2:x:C');
    expect(keys.paymentRequest('P')).toBe('psd2:p:P');
    expect(keys.refreshOfHash('H')).toBe('psd2:r:H');
    expect(keys.accessOfHash('H')).toBe('psd2:a:H');
    const token = generateOpaqueToken();
    expect(keys.access(token)).toBe(keys.accessOfHash(hashSecret(token)));
    expect(keys.grantUsage('G')).toBe('psd2:u:{psd2:g:G}');
  });

  it('refuse a prefix with a brace', () => {
    expect(() => tokenStoreKeys('{psd2}:')).toThrow('must not contain');
  });
});
