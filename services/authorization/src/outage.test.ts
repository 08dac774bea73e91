import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { freePort, type RunningSystem, startSystem } from '@psd2/testing';
import { authorizeQuery, createTestClient, locationParams, pkcePair, registryOf } from './test-support.js';

/*
 * temporarily_unavailable through the edge: the authorization service's Redis (sessions, codes,
 * grants) is unreachable. The client and its redirect URI are verified (the registry is up), so the
 * PSU is sent back to the client with the error rather than shown a page.
 */

let system: RunningSystem;
let registry: ClientRegistry;
let client: RegisteredClient;

beforeAll(async () => {
  // A port nothing listens on: every Redis command fails fast.
  const deadRedis = `redis://127.0.0.1:${await freePort()}`;
  system = await startSystem({ label: 'authz-outage', env: { authorization: { REDIS_URL: deadRedis } } });
  registry = registryOf(system);
  client = await createTestClient(registry, { roles: ['PSP_AI'], scope: 'aisp' });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await system?.stop();
});

describe('Redis down', () => {
  it('redirects with temporarily_unavailable, state and iss', async () => {
    const query = authorizeQuery({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: 'https://tpp.example/cb?tenant=1',
      scope: 'aisp',
      state: 's1',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    const started = Date.now();
    const result = await system.client(undefined)(`/oauth2/en/sandbox/signin.html?${query}`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.status).toBe(302);
    const params = locationParams(result);
    expect(params.get('error')).toBe('temporarily_unavailable');
    expect(params.get('state')).toBe('s1');
    expect(params.get('iss')).toBe(system.edgeUrl);
  });
});
