import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClusterNodeAddress,
  createIsolatedRedisPrefix,
  testRedisCluster,
  untilClusterClientReady,
} from '@psd2/testing';
import { Cluster } from 'ioredis';
import { describeTokenStoreContract } from './contract.js';
import { grant } from './contract-fixtures.js';
import { redisMasters } from './redis-connection.js';
import { createRedisTokenStore } from './redis-store.js';
import { dumpKeysAndValues } from './storage-dump.test-support.js';

/*
 * The whole contract suite (codes, grants, tokens, refresh rotation, suspension, payments, pushed
 * requests, grants by subject, usage) on a three-master Redis Cluster: a script or MULTI whose keys
 * crossed slots would fail here with CROSSSLOT.
 */

const keyPrefix = createIsolatedRedisPrefix('token-store-cluster');
let nodes: readonly ClusterNodeAddress[] = [];
let release: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ nodes, release } = await testRedisCluster());
}, 60_000);

afterAll(async () => {
  await release();
});

async function allKeys(inspector: Cluster): Promise<string[]> {
  await inspector.ping();
  const perMaster = await Promise.all(redisMasters(inspector).map((master) => master.keys(`${keyPrefix}*`)));
  return perMaster.flat();
}

describeTokenStoreContract('Redis Cluster', async (clock) => {
  const store = createRedisTokenStore({ clusterNodes: nodes, tls: false, keyPrefix, now: clock.now });
  const inspector = new Cluster(nodes.map(({ host, port }) => ({ host, port })));
  await untilClusterClientReady(() => store.ping());
  return {
    store,
    async dumpStorage() {
      return dumpKeysAndValues(inspector, await allKeys(inspector));
    },
    async dispose() {
      await Promise.all((await allKeys(inspector)).map((key) => inspector.del(key)));
      await store.close();
      inspector.disconnect();
    },
  };
});

describe('Redis Cluster token store', () => {
  it('spreads the keys of one deployment over every master', async () => {
    const store = createRedisTokenStore({ clusterNodes: nodes, tls: false, keyPrefix });
    const inspector = new Cluster(nodes.map(({ host, port }) => ({ host, port })));
    try {
      await untilClusterClientReady(() => store.ping());
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.createGrant(grant(`client-spread-${i}`))));
      const perMaster = await Promise.all(
        redisMasters(inspector).map((master) => master.keys(`${keyPrefix}g:*`)),
      );
      expect(perMaster).toHaveLength(3);
      for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
    } finally {
      await Promise.all((await allKeys(inspector)).map((key) => inspector.del(key)));
      await store.close();
      inspector.disconnect();
    }
  });
});
