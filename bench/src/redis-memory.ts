import { createHash } from 'node:crypto';
import {
  createRedisTokenStore,
  generateGrantId,
  generateOpaqueToken,
  type TokenStore,
} from '@psd2/token-store';
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

export interface MemoryFigure {
  readonly items: number;
  readonly deltaBytes: number;
  readonly bytesPerItem: number;
}

/**
 * Stores `items` things through the real store (same encoding, same TTLs, the production key prefix)
 * into an empty logical database, `save(store, index, now)` each, and reads Redis's `used_memory`
 * before and after: the difference includes everything Redis spends (key, value, expiry entry,
 * hash-table overhead). An empty database of its own keeps other keys out of the figure.
 */
async function measureRedisMemory(
  options: { readonly url: string; readonly keyPrefix: string; readonly items: number },
  save: (store: TokenStore, index: number, now: number) => Promise<void>,
): Promise<MemoryFigure> {
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
    for (let done = 0; done < options.items; done += batch) {
      const saves: Promise<void>[] = [];
      for (let index = done; index < Math.min(done + batch, options.items); index += 1)
        saves.push(save(store, index, now));
      await Promise.all(saves);
    }
    const deltaBytes = (await usedMemory(redis)) - before;
    return { items: options.items, deltaBytes, bytesPerItem: deltaBytes / options.items };
  } finally {
    await deleteByPrefix(redis, options.keyPrefix);
    await store.close();
    redis.disconnect();
  }
}

const CLIENT_ID = 'gZ1lFq4zv3y8Vt0xW2p9Aw';
const ORGANIZATION_ID = 'PSDFR-ACPR-20002';
const THUMBPRINT = 'x4E2qU1yNQX7lU0a2o7kqLIN2y2Jb9gVvFhYb1Z5f3c';
const GRANT_SECONDS = 180 * 24 * 3600;

/**
 * What one customer's code-flow consent keeps in Redis while it lives: the grant and its entry in the
 * customer's index, the refresh token, one live access token and the grant's last use, as the
 * authorization and token services write them (one customer per grant: the index's key is not shared).
 * The code and the page session are gone within minutes and are not counted.
 */
export function measureRedisMemoryPerGrant(options: {
  readonly url: string;
  readonly keyPrefix: string;
  readonly grants: number;
}): Promise<MemoryFigure> {
  return measureRedisMemory({ ...options, items: options.grants }, async (store, index, now) => {
    const grantId = generateGrantId();
    const subject = `customer-${createHash('sha256').update(String(index)).digest('hex').slice(0, 12)}`;
    await store.createGrant({
      grantId,
      clientId: CLIENT_ID,
      organizationId: ORGANIZATION_ID,
      subject,
      scope: 'aisp',
      authTime: now,
      createdAt: now,
      expiresAt: now + GRANT_SECONDS,
    });
    const common = {
      grantId,
      clientId: CLIENT_ID,
      scope: 'aisp',
      issuedAt: now,
      certificateThumbprint: THUMBPRINT,
    };
    await store.saveRefreshToken(generateOpaqueToken(), { ...common, expiresAt: now + GRANT_SECONDS });
    await store.saveAccessToken(generateOpaqueToken(), {
      ...common,
      organizationId: ORGANIZATION_ID,
      subject,
      expiresAt: now + 3600,
    });
    await store.recordGrantUse(grantId, now);
  });
}

/** A client-credentials access token (the PISP's), as the token service stores it. */
export function measureRedisMemoryPerToken(options: {
  readonly url: string;
  readonly keyPrefix: string;
  readonly tokens: number;
}): Promise<MemoryFigure> {
  return measureRedisMemory({ ...options, items: options.tokens }, (store, _index, now) =>
    store.saveAccessToken(generateOpaqueToken(), {
      clientId: CLIENT_ID,
      organizationId: ORGANIZATION_ID,
      scope: 'pisp',
      issuedAt: now,
      expiresAt: now + 3600,
      certificateThumbprint: THUMBPRINT,
    }),
  );
}
