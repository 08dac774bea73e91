import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  type ClusterNodeAddress,
  createIsolatedRedisPrefix,
  testRedisCluster,
  untilClusterClientReady,
} from '@psd2/testing';
import { createRedisRateLimiter, type RateLimiter } from './rate-limit.js';

/* The Redis limiter on a three-master Redis Cluster: every counter is one key, whichever master holds it. */

let nodes: readonly ClusterNodeAddress[] = [];
let release: () => Promise<void> = async () => undefined;
let limiter: RateLimiter;

beforeAll(async () => {
  ({ nodes, release } = await testRedisCluster());
  limiter = createRedisRateLimiter({
    name: 'cluster',
    limit: 2,
    windowSeconds: 60,
    clusterNodes: nodes,
    tls: false,
    keyPrefix: createIsolatedRedisPrefix('rate-limit-cluster'),
  });
  await untilClusterClientReady(() => limiter.ping());
}, 60_000);

afterAll(async () => {
  await limiter.close();
  await release();
});

it('counts each key against its own limit, keys spread over every master', async () => {
  const keys = Array.from({ length: 12 }, (_, i) => `org-${i}`);
  for (const round of [1, 2, 3]) {
    const decisions = await Promise.all(keys.map((key) => limiter.hit(key)));
    for (const decision of decisions) expect(decision.allowed).toBe(round <= 2);
  }
});
