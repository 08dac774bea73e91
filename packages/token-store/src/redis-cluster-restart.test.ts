import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isDependencyUnavailable } from '@psd2/oauth-errors';
import { type OwnRedisCluster, ownRedisCluster, untilClusterClientReady } from '@psd2/testing';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { accessRecord, grant } from './contract-fixtures.js';
import { TokenStoreUnavailableError } from './errors.js';
import { tokenStoreKeys } from './redis-keys.js';
import { createRedisTokenStore } from './redis-store.js';
import { generateOpaqueToken } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * A master of a Redis Cluster crashes under load and comes back: meanwhile the store answers
 * "unavailable" (the services' 503), never a wrong answer; afterwards it serves again, and every token
 * whose save was acknowledged before the crash is still there. With `appendonly yes` and
 * `appendfsync always` (as docs/token-store.md prescribes for "acknowledged means kept") the restarted
 * master replays its append-only file.
 */

const keyPrefix = 'restart-test:';
const keys = tokenStoreKeys(keyPrefix);
let cluster: OwnRedisCluster;
let store: TokenStore;

beforeAll(async () => {
  cluster = await ownRedisCluster({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  store = createRedisTokenStore({ clusterNodes: cluster.nodes, tls: false, keyPrefix });
  await untilClusterClientReady(() => store.ping());
}, 60_000);

afterAll(async () => {
  await store.close();
  await cluster.stop();
});

/** The port of the master that serves `key`'s slot. */
async function masterOf(key: string): Promise<number> {
  const admin = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]?.port ?? 0 });
  try {
    const slot = calculateSlot(key);
    const ranges = (await admin.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (range === undefined) throw new Error(`no master serves slot ${slot}`);
    return range[2][1];
  } finally {
    admin.disconnect();
  }
}

describe('Redis Cluster: a master restarted under load', () => {
  it('answers unavailable meanwhile, then serves again with every acknowledged token', async () => {
    const g = grant('client-restart');
    await store.createGrant(g);
    const victim = await masterOf(keys.grant(g.grantId));
    const acknowledged: string[] = [];
    const outcomes = { saved: 0, unavailable: 0, other: [] as unknown[] };
    let running = true;
    const load = (async () => {
      while (running) {
        const token = generateOpaqueToken();
        try {
          await store.saveAccessToken(token, accessRecord('client-restart', g.grantId, 600));
          acknowledged.push(token);
          outcomes.saved += 1;
        } catch (error) {
          if (error instanceof TokenStoreUnavailableError && isDependencyUnavailable(error)) {
            outcomes.unavailable += 1;
          } else {
            outcomes.other.push(error instanceof Error ? `${error.name}: ${error.message}` : error);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.stopNode(victim);
    // The grant lives on the stopped master: a token of it cannot be checked, which is "unavailable".
    const during = await store.findAccessToken(acknowledged[0] ?? '').catch((error: unknown) => error);
    expect(during instanceof Error ? `${during.name}: ${during.message}` : during).toBe(
      'TokenStoreUnavailableError: token store unavailable',
    );
    // What every service answers it with: 503 temporarily_unavailable.
    expect(during).toMatchObject({ status: 503, code: 'temporarily_unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cluster.startNode(victim);
    // Serving again: within a few seconds of the cluster being ok (slot map refreshed).
    const back = Date.now();
    for (;;) {
      const found = await store.findAccessToken(acknowledged[0] ?? '').catch(() => 'unavailable' as const);
      if (found !== 'unavailable') break;
      expect(Date.now() - back).toBeLessThan(15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const savedAfter = outcomes.saved;
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await load;

    expect(outcomes.other).toEqual([]);
    expect(outcomes.unavailable).toBeGreaterThan(0);
    expect(outcomes.saved).toBeGreaterThan(savedAfter);
    const found = await Promise.all(acknowledged.map((token) => store.findAccessToken(token)));
    expect(found.filter((record) => record === undefined)).toHaveLength(0);
  }, 60_000);
});
