import type { ClusterNodeAddress } from '@psd2/testing';
import { Redis } from 'ioredis';

/*
 * What a test can see of the data a system keeps on Redis: the kinds of keys under its prefix, read
 * master by master (SCAN on a cluster node lists that node's keys only), and which master serves a key.
 */

/** The kind of each key, e.g. `g` for a grant, `rl:token` for a rate-limit counter (docs/token-store.md). */
export function keyKind(key: string, prefix: string): string {
  const name = key.slice(prefix.length);
  if (name.startsWith('authz:session:')) return 'authz:session';
  if (name.startsWith('rl:')) return `rl:${name.split(':')[1] ?? ''}`;
  return name.split(':')[0] ?? name;
}

async function keysOn(node: ClusterNodeAddress | string, prefix: string): Promise<string[]> {
  const redis =
    typeof node === 'string'
      ? new Redis(node, { maxRetriesPerRequest: 1 })
      : new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** The kinds of key under `prefix` on every master of the cluster, with how many of each. */
export async function keyKindsOnCluster(
  nodes: readonly ClusterNodeAddress[],
  prefix: string,
): Promise<Record<string, number>> {
  const keys = (await Promise.all(nodes.map((node) => keysOn(node, prefix)))).flat();
  const kinds: Record<string, number> = {};
  for (const key of keys) kinds[keyKind(key, prefix)] = (kinds[keyKind(key, prefix)] ?? 0) + 1;
  return kinds;
}

/** How many keys under `prefix` the one Redis at `url` holds. */
export async function keyCountOn(url: string, prefix: string): Promise<number> {
  return (await keysOn(url, prefix)).length;
}

/** The port of the master serving `key`'s slot. */
export async function masterPortOf(node: ClusterNodeAddress, key: string): Promise<number> {
  const redis = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 });
  try {
    const slot = Number(await redis.cluster('KEYSLOT', key));
    const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (range === undefined) throw new Error(`no master serves slot ${slot}`);
    return range[2][1];
  } finally {
    redis.disconnect();
  }
}
