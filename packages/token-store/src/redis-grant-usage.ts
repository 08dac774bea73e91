import type { Redis } from 'ioredis';
import { guarded } from './errors.js';
import { type GrantUsageStore, usageLookupIds } from './grant-usage.js';

/*
 * Grant usage on Redis, under the store's prefix:
 *   u:<grantId>   the last use (Unix seconds)   TTL: the grant's own remaining life (g:<grantId>'s TTL)
 * One script reads the grant's TTL and writes the use, so a use is never kept past its grant and never
 * recorded for a grant that is gone. A later use never goes back in time (two replicas racing). The
 * customer page reads a whole listing's uses with one MGET.
 */

type GrantUsageCommands = Redis & {
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
  client: Redis,
  keys: { readonly prefix: string; readonly grantKey: (grantId: string) => string },
): GrantUsageStore {
  const redis = client as GrantUsageCommands;
  redis.defineCommand('recordGrantUse', { numberOfKeys: 2, lua: RECORD_GRANT_USE });
  const usageKey = (grantId: string) => `${keys.prefix}u:${grantId}`;
  return {
    recordGrantUse: (grantId, at) =>
      guarded(async () => {
        await redis.recordGrantUse(keys.grantKey(grantId), usageKey(grantId), Math.floor(at));
      }),
    lastUsedOf: (grantIds) =>
      guarded(async () => {
        const ids = usageLookupIds(grantIds);
        if (ids.length === 0) return {};
        const values = await redis.mget(ids.map(usageKey));
        const uses: Record<string, number> = {};
        ids.forEach((grantId, i) => {
          const value = values[i];
          if (value !== null && value !== undefined) uses[grantId] = Number(value);
        });
        return uses;
      }),
  };
}
