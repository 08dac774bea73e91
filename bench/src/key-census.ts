import type { Redis } from 'ioredis';

/*
 * What a run left in Redis, by kind of key: the key with its random parts (hashes, ids, tokens) folded
 * to `*`, how many there are, their mean MEMORY USAGE (a sample of each kind) and how many expire. It
 * tells which keys a flow leaves for good (grants, tokens) and which for minutes (sessions, codes,
 * rate-limit counters), whatever their names become.
 */

export interface KeyKind {
  readonly kind: string;
  readonly count: number;
  readonly meanBytes: number;
  readonly withTtl: number;
}

/** A name-like segment (`g`, `authz`, `psd2`, `{s`): a letter, then 11 at most; ids, hashes and addresses are not. */
const NAME_SEGMENT = /^\{?[a-z][a-z0-9_-]{0,11}\}?$/i;

/**
 * The key's kind: `prefix` (the run's own) as `<prefix>`, then its leading name-like segments, and
 * `*` for the rest (ids, hashes, addresses, windows).
 */
export function kindOfKey(key: string, prefix: string): string {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const segments = rest.split(':');
  const names: string[] = [];
  for (const segment of segments) {
    if (!NAME_SEGMENT.test(segment)) break;
    names.push(segment);
  }
  const folded = names.length < segments.length ? [...names, '*'] : names;
  return `${key.startsWith(prefix) ? '<prefix>' : ''}${folded.join(':')}`;
}

export async function censusOf(
  redis: Redis,
  keys: readonly string[],
  prefix: string,
  samplePerKind = 200,
): Promise<KeyKind[]> {
  const byKind = new Map<string, string[]>();
  for (const key of keys) {
    const kind = kindOfKey(key, prefix);
    const list = byKind.get(kind) ?? [];
    list.push(key);
    byKind.set(kind, list);
  }
  const kinds: KeyKind[] = [];
  for (const [kind, members] of byKind) {
    const sample = members.slice(0, samplePerKind);
    const pipeline = redis.pipeline();
    for (const key of sample) pipeline.memory('USAGE', key).pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    let bytes = 0;
    let expiring = 0;
    for (let index = 0; index < replies.length; index += 2) {
      bytes += Number(replies[index]?.[1] ?? 0);
      if (Number(replies[index + 1]?.[1] ?? -1) >= 0) expiring += 1;
    }
    const sampled = Math.max(1, sample.length);
    kinds.push({
      kind,
      count: members.length,
      meanBytes: bytes / sampled,
      withTtl: Math.round((expiring / sampled) * members.length),
    });
  }
  return kinds.sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1));
}
