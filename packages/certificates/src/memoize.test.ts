import { describe, expect, it } from '@jest/globals';
import { memoize } from './memoize.js';

describe('memoize', () => {
  it('computes once per remembered key, falsy results included, and again after eviction', () => {
    const computed: string[] = [];
    const isEven = memoize((key: string) => {
      computed.push(key);
      return key.length % 2 === 0;
    }, 2);
    expect([isEven('a'), isEven('a'), isEven('bb'), isEven('a')]).toEqual([false, false, true, false]);
    expect(computed).toEqual(['a', 'bb']);
    isEven('ccc'); // evicts 'bb', the least recently used
    isEven('bb');
    expect(computed).toEqual(['a', 'bb', 'ccc', 'bb']);
  });

  it('remembers undefined too', () => {
    let calls = 0;
    const nothing = memoize(() => {
      calls += 1;
      return undefined;
    }, 4);
    expect([nothing('x'), nothing('x')]).toEqual([undefined, undefined]);
    expect(calls).toBe(1);
  });
});
