import type { Redis } from 'ioredis';
import { markerAdmits } from './client-markers.js';
import { guarded } from './errors.js';
import { GRANT_INDEX_READ_CAP, type GrantIndexStore, grantListLimit, newestFirst } from './grant-index.js';
import type { GrantRecord } from './records.js';
import { hashSecret } from './secrets.js';
import { secondsUntil } from './store.js';

/*
 * Grants by subject on Redis, under the store's prefix:
 *   s:<sha256(subject)>   sorted set: grant ids scored by the grant's expiresAt   TTL: the latest grant's expiry
 * The subject is hashed like every secret: key names (seen by SCAN, MONITOR, the slow log) then carry no
 * customer identifier, and a key's length does not depend on what the bank calls its customers.
 *
 * Exactness: the index is written with the grant, in one script, and is then filtered on read rather
 * than maintained by every path that ends a grant. A grant ends by deleting `g:<grantId>` in many places
 * (revokeGrant, code replay, refresh token reuse in ROTATE_REFRESH, payment completion in
 * COMPLETE_PAYMENT_REQUEST), some of them scripts that know only the grant's key; removing the index
 * entry there would mean decoding the grant inside each script and passing it one more key (one more key
 * to share a hash slot for issue 20). A listing reads every grant it returns anyway, so it sees the
 * ended ones for free: it returns only grants whose key exists, removes the other ids (ZREM), removes
 * the expired ones by score (ZREMRANGEBYSCORE) and skips grants their client's marker refuses
 * (client-markers.ts), which stay indexed since revocation is by lineage and restoreClient brings them
 * back. Between listings an index holds at
 * most the ids of ended grants, and its TTL removes it once its last grant has expired.
 */

type GrantIndexCommands = Redis & {
  createIndexedGrant(
    grantKey: string,
    indexKey: string,
    grant: string,
    ttl: number,
    expiresAt: number,
    grantId: string,
    nowSeconds: number,
  ): Promise<number>;
};

/**
 * KEYS: grant, the subject's index. ARGV: grant (JSON), its TTL, its expiresAt, grant id, now (s).
 * The index's TTL follows its latest entry, so a grant added with an earlier expiry never shortens it.
 */
const CREATE_INDEXED_GRANT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
local latest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('EXPIRE', KEYS[2], math.max(1, tonumber(latest[2]) - tonumber(ARGV[5])))
return 1
`;

export interface RedisGrantKeys {
  readonly prefix: string;
  readonly grantKey: (grantId: string) => string;
  readonly clientKey: (clientId: string) => string;
}

export function createRedisGrantIndex(
  client: Redis,
  keys: RedisGrantKeys,
  nowSeconds: () => number,
): GrantIndexStore & { createGrant(grant: GrantRecord): Promise<void> } {
  const redis = client as GrantIndexCommands;
  redis.defineCommand('createIndexedGrant', { numberOfKeys: 2, lua: CREATE_INDEXED_GRANT });
  const indexKey = (subject: string) => `${keys.prefix}s:${hashSecret(subject)}`;

  return {
    createGrant: (grant) =>
      guarded(async () => {
        const at = nowSeconds();
        await redis.createIndexedGrant(
          keys.grantKey(grant.grantId),
          indexKey(grant.subject),
          JSON.stringify(grant),
          secondsUntil(grant.expiresAt, at),
          grant.expiresAt,
          grant.grantId,
          at,
        );
      }),

    listGrantsOfSubject: (subject, options) =>
      guarded(async () => {
        const limit = grantListLimit(options);
        const index = indexKey(subject);
        const at = nowSeconds();
        const replies = await redis
          .multi()
          .zremrangebyscore(index, '-inf', at)
          .zrange(index, '+inf', `(${at}`, 'BYSCORE', 'REV', 'LIMIT', 0, GRANT_INDEX_READ_CAP)
          .exec();
        const ranged = replies?.[1];
        if (ranged === undefined) throw new Error('grant index read aborted');
        if (ranged[0] !== null) throw ranged[0];
        const ids = ranged[1] as string[];
        if (ids.length === 0) return [];
        const values = await redis.mget(ids.map(keys.grantKey));
        const ended = ids.filter((_, i) => values[i] === null);
        const found = values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as GrantRecord]));
        const clients = [...new Set(found.map((grant) => grant.clientId))];
        const [, markers] = await Promise.all([
          ended.length > 0 ? redis.zrem(index, ...ended) : Promise.resolve(0),
          clients.length > 0 ? redis.mget(clients.map(keys.clientKey)) : Promise.resolve([]),
        ]);
        const markerOf = new Map(clients.map((clientId, i) => [clientId, markers[i]]));
        const active = found.filter(
          (grant) =>
            grant.subject === subject &&
            grant.expiresAt > at &&
            markerAdmits(markerOf.get(grant.clientId), { issuedAt: grant.createdAt, scope: grant.scope }),
        );
        return newestFirst(active, limit);
      }),
  };
}
