import { observeGauge } from '@psd2/telemetry';
import { createRedisClient, type RedisConnection, redisMasters } from '@psd2/token-store';
import type { Redis } from 'ioredis';

/*
 * `psd2.oauth.grants.active`: how many grants (consents) exist in the token store.
 *
 * Why not a counter of creations minus revocations: grants also end by expiring (a Redis TTL), a
 * process restart loses an in-memory tally, and several replicas would each hold a part of it. The
 * store itself is the truth, so the gauge counts `g:*` keys there, within a fixed budget:
 * - at most once per refresh interval (60 s), in the background, never on a request's path;
 * - at most `maxScanCalls` SCAN calls of COUNT 1000, so a very large keyspace costs the same as a
 *   100 000-key one. When the budget runs out before the cursor comes back to 0, the value is
 *   extrapolated from the share of grant keys among the keys visited, times DBSIZE (an estimate; the
 *   prefix's share of the database is assumed even across the keyspace).
 * On a Redis Cluster each master is counted so, and the counts added up.
 * Every token-service replica reports the same figure: aggregate with max, never sum.
 */

export interface ActiveGrantsGauge {
  close(): Promise<void>;
}

const SCAN_COUNT = 1000;

export function startActiveGrantsGauge(
  options: RedisConnection & {
    readonly keyPrefix: string;
    readonly refreshMs?: number;
    readonly maxScanCalls?: number;
  },
): ActiveGrantsGauge {
  const refreshMs = options.refreshMs ?? 60_000;
  const maxScanCalls = options.maxScanCalls ?? 100;
  // A connection of its own, so a slow count never queues behind (or in front of) token commands.
  // Its errors surface as a missing gauge value, not as a log line a minute.
  const redis = createRedisClient(options, { lazyConnect: true, commandTimeoutMs: 5000 });
  let value: number | undefined;
  let refreshedAt = 0;
  let running: Promise<void> | undefined;

  async function count(): Promise<number> {
    if (redis.status === 'wait') await redis.connect();
    const counts = await Promise.all(
      redisMasters(redis).map((master) => countGrantKeys(master, options.keyPrefix, maxScanCalls)),
    );
    return counts.reduce((sum, counted) => sum + counted, 0);
  }

  function refresh(): void {
    if (running !== undefined || Date.now() - refreshedAt < refreshMs) return;
    running = count()
      .then((counted) => {
        value = counted;
      })
      .catch(() => {
        value = undefined;
      })
      .finally(() => {
        refreshedAt = Date.now();
        running = undefined;
      });
  }

  const stop = observeGauge(
    'psd2.oauth.grants.active',
    { description: 'Grants (consents) in the token store, counted at most once a minute.', unit: '{grant}' },
    () => {
      // The reader collects every export interval; the value it gets may be up to one refresh old.
      refresh();
      return value;
    },
  );

  refresh();
  return {
    async close() {
      stop();
      await running;
      redis.disconnect();
    },
  };
}

/**
 * Grant keys under `keyPrefix`: exact when SCAN completes within `maxScanCalls` calls, otherwise the
 * share of grant keys among the keys visited times DBSIZE.
 */
export async function countGrantKeys(redis: Redis, keyPrefix: string, maxScanCalls: number): Promise<number> {
  const grantPrefix = `${keyPrefix}g:`;
  let cursor = '0';
  let matched = 0;
  let visited = 0;
  for (let calls = 0; calls < maxScanCalls; calls += 1) {
    // Without MATCH, SCAN reports how many keys it visited; the prefix is then tested here.
    const [next, keys] = await redis.scan(cursor, 'COUNT', SCAN_COUNT);
    visited += keys.length;
    for (const key of keys) if (key.startsWith(grantPrefix)) matched += 1;
    cursor = next;
    if (cursor === '0') return matched;
  }
  const total = await redis.dbsize();
  return visited === 0 ? 0 : Math.round((matched / visited) * total);
}
