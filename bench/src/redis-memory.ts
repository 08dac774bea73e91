import { createRedisTokenStore, generateOpaqueToken } from '@psd2/token-store';
import { Redis } from 'ioredis';

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (match?.[1] === undefined) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * Loads `tokens` client-credentials access tokens through the real store (same encoding, same TTLs,
 * the production key prefix) into an empty logical database, and reads Redis's `used_memory` before
 * and after. The difference includes everything Redis spends: key, value, expiry entry and hash-table
 * overhead. An empty database of its own keeps other keys (and their hash tables' growth or expiry) out
 * of the figure.
 */
export async function measureRedisMemoryPerToken(options: {
  readonly url: string;
  readonly keyPrefix: string;
  readonly tokens: number;
}): Promise<{ tokens: number; deltaBytes: number; bytesPerToken: number }> {
  const redis = new Redis(options.url);
  const store = createRedisTokenStore({
    url: options.url,
    keyPrefix: options.keyPrefix,
    commandTimeoutMs: 10_000,
  });
  try {
    const before = await usedMemory(redis);
    const now = Math.floor(Date.now() / 1000);
    const batch = 2000;
    for (let done = 0; done < options.tokens; done += batch) {
      const saves: Promise<void>[] = [];
      for (let index = 0; index < Math.min(batch, options.tokens - done); index += 1) {
        saves.push(
          store.saveAccessToken(generateOpaqueToken(), {
            clientId: 'gZ1lFq4zv3y8Vt0xW2p9Aw',
            organizationId: 'PSDFR-ACPR-20002',
            scope: 'pisp',
            issuedAt: now,
            expiresAt: now + 3600,
            certificateThumbprint: 'x4E2qU1yNQX7lU0a2o7kqLIN2y2Jb9gVvFhYb1Z5f3c',
          }),
        );
      }
      await Promise.all(saves);
    }
    const after = await usedMemory(redis);
    const deltaBytes = after - before;
    return { tokens: options.tokens, deltaBytes, bytesPerToken: deltaBytes / options.tokens };
  } finally {
    await deleteByPrefix(redis, options.keyPrefix);
    await store.close();
    redis.disconnect();
  }
}
