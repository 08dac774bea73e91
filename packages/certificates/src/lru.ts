interface Entry<K, V> {
  /** The key as first stored: re-insertions use it rather than the caller's equal copy (see below). */
  readonly key: K;
  readonly value: V;
}

/**
 * A bounded least-recently-used map. A Map iterates in insertion order, so re-inserting on a hit
 * keeps the least recently used entry first, where eviction finds it in O(1).
 *
 * The keys are often large per-request strings (a forwarded certificate header is several KiB) and
 * the cache lives in V8's old generation. Re-inserting with the caller's copy would make the old map
 * point at a young string on every hit, so every header would survive the next scavenge and be
 * promoted: that made the token service's minor GCs several times slower under load. A hit therefore
 * re-inserts with the stored key, and does nothing when the entry is already the most recent one.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>();
  readonly #capacity: number;
  #newest: Entry<K, V> | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry !== this.#newest) {
      this.#entries.delete(entry.key);
      this.#entries.set(entry.key, entry);
      this.#newest = entry;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry: Entry<K, V> = { key, value };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newest = entry;
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
  }
}

/**
 * `compute`, remembered for the last `capacity` distinct keys: for per-request work whose inputs are a
 * handful of values (peer addresses, subject DNs), bounded in case something sends many.
 */
export function memoize<V>(compute: (key: string) => V, capacity: number): (key: string) => V {
  const cache = new LruCache<string, { readonly value: V }>(capacity);
  return (key) => {
    const remembered = cache.get(key);
    if (remembered !== undefined) return remembered.value;
    const value = compute(key);
    cache.set(key, { value });
    return value;
  };
}
