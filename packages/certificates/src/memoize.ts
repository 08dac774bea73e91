import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * `compute`, remembered for the last `capacity` distinct keys of its input: for per-request work whose
 * inputs are a handful of values (forwarded certificate headers, certificates, peer addresses, subject
 * DNs), bounded in case something sends many.
 *
 * The keys can be large per-request strings (a forwarded certificate header is several KiB) and the
 * cache lives in V8's old generation. lru-cache finds a hit through its key map and moves the entry in
 * its own index arrays, so it keeps the key first stored: the caller's young copy is not retained and
 * does not get promoted with every request, which made minor GCs several times slower under load when
 * an earlier cache re-inserted it.
 */
export function memoizeBy<I, V>(
  keyOf: (input: I) => string,
  compute: (input: I) => V,
  capacity: number,
): (input: I) => V {
  const cache = new LRUCache<string, { readonly value: V }>({ max: capacity });
  return (input) => {
    const key = keyOf(input);
    const remembered = cache.get(key);
    if (remembered !== undefined) return remembered.value;
    const value = compute(input);
    cache.set(key, { value });
    return value;
  };
}

export function memoize<V>(compute: (key: string) => V, capacity: number): (key: string) => V {
  return memoizeBy((key: string) => key, compute, capacity);
}

/** The key of a certificate in a cache: hex SHA-256 of its DER, as Envoy's XFCC `Hash`. */
export function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
