import { LRUCache } from 'lru-cache';

/**
 * `compute`, remembered for the last `capacity` distinct keys: for per-request work whose inputs are a
 * handful of values (forwarded certificate headers, peer addresses, subject DNs), bounded in case
 * something sends many.
 *
 * The keys can be large per-request strings (a forwarded certificate header is several KiB) and the
 * cache lives in V8's old generation. lru-cache finds a hit through its key map and moves the entry in
 * its own index arrays, so it keeps the key first stored: the caller's young copy is not retained and
 * does not get promoted with every request, which made minor GCs several times slower under load when
 * an earlier cache re-inserted it.
 */
export function memoize<V>(compute: (key: string) => V, capacity: number): (key: string) => V {
  const cache = new LRUCache<string, { readonly value: V }>({ max: capacity });
  return (key) => {
    const remembered = cache.get(key);
    if (remembered !== undefined) return remembered.value;
    const value = compute(key);
    cache.set(key, { value });
    return value;
  };
}
