import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, testRedisCluster, untilClusterClientReady } from '@psd2/testing';
import type { Session, SessionStore } from './session.js';
import { createRedisSessionStore } from './stores.js';

/* The Redis session store on a three-master Redis Cluster: each session is one key, one-key scripts. */

const data: Session = {
  version: 2,
  flowId: 'flow',
  csrf: 'csrf',
  flow: 'bank',
  lang: 'fr',
  request: { clientId: 'c', redirectUri: 'https://tpp.example/cb', scope: 'aisp' },
  client: { name: 'n', organizationId: 'o', organizationName: 'on', ncaId: 'nca' },
  stage: 'started',
};
const saved: Session = { ...data, csrf: 'other' };

let release: () => Promise<void> = async () => undefined;
let store: SessionStore;

beforeAll(async () => {
  const cluster = await testRedisCluster();
  release = cluster.release;
  store = createRedisSessionStore({
    clusterNodes: cluster.nodes,
    tls: false,
    keyPrefix: createIsolatedRedisPrefix('authz-sessions-cluster'),
    idleSeconds: 300,
    anonymousSeconds: 60,
  });
  await untilClusterClientReady(() => store.ping());
}, 60_000);

afterAll(async () => {
  await store.close();
  await release();
});

describe('Redis session store on a Redis Cluster', () => {
  it('creates, loads, saves, takes and destroys sessions spread over the masters', async () => {
    const ids = await Promise.all(Array.from({ length: 9 }, () => store.create(data)));
    for (const id of ids) expect(await store.load(id)).toEqual(data);
    const [first, second, third] = ids;
    await store.save(first ?? '', saved);
    expect(await store.load(first ?? '')).toEqual(saved);
    expect(await store.take(second ?? '')).toEqual(data);
    expect(await store.load(second ?? '')).toBeUndefined();
    await store.destroy(third ?? '');
    expect(await store.load(third ?? '')).toBeUndefined();
  });
});
