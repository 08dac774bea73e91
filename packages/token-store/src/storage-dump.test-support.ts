import type { Cluster, Redis } from 'ioredis';

/**
 * The contract's `dumpStorage` over real Redis (one server or a cluster): every key and every value,
 * strings (codes, grants, tokens, pushed requests), hashes (payment requests, every field) and sorted
 * sets (grants by subject, every member), so the contract can check no secret is stored in clear.
 */
export async function dumpKeysAndValues(
  inspector: Redis | Cluster,
  keys: readonly string[],
): Promise<string> {
  const values = await Promise.all(
    keys.map(async (key) => {
      const type = await inspector.type(key);
      if (type === 'hash') return Object.entries(await inspector.hgetallBuffer(key)).flat();
      if (type === 'zset') return inspector.zrangeBuffer(key, '0', '-1');
      return [await inspector.getBuffer(key)];
    }),
  );
  const text = values.flat().map((value) => (typeof value === 'string' ? value : value?.toString('latin1')));
  return [...keys, ...text].join('\n');
}
