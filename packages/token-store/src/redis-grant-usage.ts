import { guarded } from './errors.js';
import { type GrantUsageStore, usageLookupIds } from './grant-usage.js';
import type { RedisClient } from './redis-connection.js';
import type { TokenStoreKeys } from './redis-keys.js';

/*
 * Grant usage on Redis, under the store's prefix:
 *   u:{<prefix>g:<grantId>}   the last use (Unix seconds)   TTL: the grant's own remaining life
 * One script reads the grant's TTL and writes the use, so a use is never kept past its grant and never
 * recorded for a grant that is gone; the usage key's hash tag keeps it in the grant's slot on a Redis
 * Cluster (redis-keys.ts). A later use never goes back in time (two replicas racing). The customer page
 * reads a whole listing's uses in one round trip, one GET per grant (each in its grant's slot).
 */

type GrantUsageCommands = RedisClient & {
  recordGrantUse(grantKey: string, usageKey: string, at: number): Promise<number>;
};

/** KEYS: the grant, its usage. ARGV: the use (Unix seconds). */
const RECORD_GRANT_USE = `
local ttl = redis.call('TTL', KEYS[1])
if ttl <= 0 then return 0 end
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous ~= nil and previous > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ttl)
return 1
`;

export function createRedisGrantUsage(
  client: RedisClient,
  keys: Pick<TokenStoreKeys, 'grant' | 'grantUsage'>,
): GrantUsageStore {
  const redis = client as GrantUsageCommands;
  redis.defineCommand('recordGrantUse', { numberOfKeys: 2, lua: RECORD_GRANT_USE });
  return {
    recordGrantUse: (grantId, at) =>
      guarded(async () => {
        const usageKey = keys.grantUsage(grantId);
        if (usageKey === undefined) return;
        await redis.recordGrantUse(keys.grant(grantId), usageKey, Math.floor(at));
      }),
    lastUsedOf: (grantIds) =>
      guarded(async () => {
        const lookups = usageLookupIds(grantIds).flatMap((grantId) => {
          const key = keys.grantUsage(grantId);
          return key === undefined ? [] : [{ grantId, key }];
        });
        if (lookups.length === 0) return {};
        const values = await Promise.all(lookups.map(({ key }) => redis.get(key)));
        const uses: Record<string, number> = {};
        lookups.forEach(({ grantId }, i) => {
          const value = values[i];
          if (value !== null && value !== undefined) uses[grantId] = Number(value);
        });
        return uses;
      }),
  };
}
