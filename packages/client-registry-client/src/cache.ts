import { LRUCache } from 'lru-cache';

/*
 * A small time-bounded cache for client reads. The token endpoint reads its client on every request;
 * a few seconds of staleness is the price, which is why the bound is capped (MAX_CACHE_TTL_MS): a
 * deleted or changed client is seen everywhere within that time.
 */

export const MAX_CACHE_TTL_MS = 5000;

export class TtlCache<V extends {}> {
  readonly #entries: LRUCache<string, V> | undefined;

  constructor(options: { ttlMs: number; maxEntries: number; now?: () => number }) {
    if (!(options.ttlMs >= 0 && options.ttlMs <= MAX_CACHE_TTL_MS)) {
      throw new RangeError(`cacheTtlMs must be from 0 to ${MAX_CACHE_TTL_MS}`);
    }
    this.#entries =
      options.ttlMs === 0
        ? undefined
        : new LRUCache<string, V>({
            max: options.maxEntries,
            ttl: options.ttlMs,
            // An entry read after its TTL is gone, exactly: no clock caching between reads.
            ttlResolution: 0,
            // Age from the write, never refreshed by a read: staleness stays bounded by the TTL.
            updateAgeOnGet: false,
            ...(options.now === undefined ? {} : { perf: { now: options.now } }),
          });
  }

  get enabled(): boolean {
    return this.#entries !== undefined;
  }

  get(key: string): V | undefined {
    return this.#entries?.get(key);
  }

  set(key: string, value: V): void {
    this.#entries?.set(key, value);
  }

  delete(key: string): void {
    this.#entries?.delete(key);
  }
}
