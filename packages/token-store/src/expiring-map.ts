/** An in-process map whose entries expire, for the embedded store. */

export interface Entry<T> {
  value: T;
  expiresAtMs: number;
  used?: boolean;
}

export class ExpiringMap<T> {
  readonly #entries = new Map<string, Entry<T>>();
  constructor(private readonly now: () => number) {}

  get(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: Entry<T>): void {
    this.#entries.set(key, entry);
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  sweep(): void {
    const at = this.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAtMs <= at) this.#entries.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
}
