import { markerAdmits } from './client-markers.js';
import { guarded } from './errors.js';
import { GRANT_INDEX_READ_CAP, type GrantIndexStore, grantListLimit, newestFirst } from './grant-index.js';
import type { GrantRecord } from './records.js';
import type { RedisClient } from './redis-connection.js';
import type { TokenStoreKeys } from './redis-keys.js';
import { secondsUntil } from './store.js';

/*
 * Grants by subject on Redis, under the store's prefix:
 *   s:<sha256(subject)>   sorted set: grant ids scored by the grant's expiresAt   TTL: the latest grant's expiry
 * The subject is hashed like every secret: key names (seen by SCAN, MONITOR, the slow log) then carry no
 * customer identifier, and a key's length does not depend on what the bank calls its customers.
 *
 * Exactness: the grant is written first and indexed right after (on a Redis Cluster the two keys are in
 * different slots, so no script can write both). A grant is only reachable once createGrant has
 * resolved (its code or token is issued after), so a failure between the two writes leaves at worst an
 * unreachable grant that expires by its TTL; the grant is then deleted and the error passed on. The
 * index is filtered on read rather than maintained by every path that ends a grant. A grant ends by
 * deleting `g:<grantId>` in many places (revokeGrant, code replay, refresh token reuse, payment
 * completion), some of them knowing only the grant's key. A listing reads every grant it returns anyway,
 * so it sees the ended ones for free: it returns only grants whose key exists, removes the other ids
 * (ZREM; every indexed id's grant was written before it, so a missing grant has ended), removes the
 * expired ones by score (ZREMRANGEBYSCORE) and skips grants their client's marker refuses
 * (client-markers.ts), which stay indexed since revocation is by lineage and restoreClient brings them
 * back. Between listings an index holds at most the ids of ended grants, and its TTL removes it once its
 * last grant has expired.
 */

type GrantIndexCommands = RedisClient & {
  indexGrant(indexKey: string, expiresAt: number, grantId: string, nowSeconds: number): Promise<number>;
};

/**
 * KEYS: the subject's index. ARGV: the grant's expiresAt, grant id, now (s).
 * The index's TTL follows its latest entry, so a grant added with an earlier expiry never shortens it.
 */
const INDEX_GRANT = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('EXPIRE', KEYS[1], math.max(1, tonumber(latest[2]) - tonumber(ARGV[3])))
return 1
`;

export function createRedisGrantIndex(
  client: RedisClient,
  keys: Pick<TokenStoreKeys, 'grant' | 'client' | 'subjectIndex'>,
  nowSeconds: () => number,
): GrantIndexStore & { createGrant(grant: GrantRecord): Promise<void> } {
  const redis = client as GrantIndexCommands;
  redis.defineCommand('indexGrant', { numberOfKeys: 1, lua: INDEX_GRANT });
  const indexKey = keys.subjectIndex;

  return {
    createGrant: (grant) =>
      guarded(async () => {
        const at = nowSeconds();
        const key = keys.grant(grant.grantId);
        await redis.set(key, JSON.stringify(grant), 'EX', secondsUntil(grant.expiresAt, at));
        try {
          await redis.indexGrant(indexKey(grant.subject), grant.expiresAt, grant.grantId, at);
        } catch (error) {
          await redis.del(key).catch(() => 0);
          throw error;
        }
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
        // One GET per grant in one round trip: on a cluster the grants live in slots of their own.
        const values = await Promise.all(ids.map((id) => redis.get(keys.grant(id))));
        const ended = ids.filter((_, i) => values[i] === null);
        const found = values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as GrantRecord]));
        const clients = [...new Set(found.map((grant) => grant.clientId))];
        const [, markers] = await Promise.all([
          ended.length > 0 ? redis.zrem(index, ...ended) : Promise.resolve(0),
          Promise.all(clients.map((clientId) => redis.get(keys.client(clientId)))),
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
