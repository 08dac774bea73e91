import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './cache.js';

describe('TtlCache', () => {
  it('expires entries once they are older than the TTL', () => {
    let now = 1000;
    const cache = new TtlCache<string>({ ttlMs: 100, maxEntries: 10, now: () => now });
    cache.set('a', 'A');
    now += 100;
    expect(cache.get('a')).toBe('A');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new TtlCache<number>({ ttlMs: 1000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    expect(cache.get('c')).toBe(3);
  });

  it('stores nothing when the TTL is 0', () => {
    const cache = new TtlCache<number>({ ttlMs: 0, maxEntries: 2 });
    cache.set('a', 1);
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a TTL above the documented bound', () => {
    expect(() => new TtlCache({ ttlMs: 5001, maxEntries: 1 })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: -1, maxEntries: 1 })).toThrow(RangeError);
  });
});
