import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exhaustMemory, type OwnRedisServer, ownRedisServer } from '@psd2/testing';
import { REDIRECT_URI } from './browser.js';
import { type CallResult, type E2eSystem, startE2e } from './harness.js';

/*
 * Dependencies failing under a running system, through the edge: the token store's Redis stopped, the
 * client registry stopped, a Redis answering OOM. Every answer is 503 temporarily_unavailable (JSON),
 * never a 500, and the system recovers on its own once the dependency is back. The Redis is the test's
 * own (redis-server on a free port), never the shared one. Every wait polls against a deadline.
 */

let e2e: E2eSystem;
let redis: OwnRedisServer;
let machineClient: string;
let browserClient: string;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DEADLINE_MS = 20_000;

beforeAll(async () => {
  redis = await ownRedisServer();
  const REDIS_URL = redis.url;
  e2e = await startE2e({
    label: 'e2e-outages',
    env: {
      registration: { REDIS_URL },
      authorization: { REDIS_URL },
      token: { REDIS_URL },
      revocation: { REDIS_URL },
    },
  });
  const register = async (metadata: Record<string, unknown>) => {
    const response = await e2e.call('tpp-a', '/oauth2/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token_endpoint_auth_method: 'tls_client_auth', ...metadata }),
    });
    expect(response.status).toBe(201);
    return response.json<{ client_id: string }>().client_id;
  };
  machineClient = await register({ grant_types: ['client_credentials'], scope: 'pisp' });
  browserClient = await register({
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'aisp',
  });
}, 60_000);

afterAll(async () => {
  await e2e?.stop();
  await redis?.stop();
});

const token = () =>
  e2e.call('tpp-a', '/oauth2/token', {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: machineClient,
      scope: 'pisp',
    }).toString(),
  });
const introspect = (accessToken: string) =>
  e2e.callInternal('psp-as', '/oauth2/introspect', {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ token: accessToken }).toString(),
  });
const revoke = (accessToken: string) =>
  e2e.call('tpp-a', '/oauth2/revoke', {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ token: accessToken, client_id: machineClient }).toString(),
  });
const authorizationPage = () =>
  e2e.call(
    undefined,
    `/oauth2/fr/sandbox/signin.html?${new URLSearchParams({
      response_type: 'code',
      client_id: browserClient,
      redirect_uri: REDIRECT_URI,
      scope: 'aisp',
      state: 'outage',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })}`,
  );

function expectUnavailable(result: CallResult): void {
  expect({ status: result.status, error: result.json().error }).toEqual({
    status: 503,
    error: 'temporarily_unavailable',
  });
}

/**
 * Calls `request` until its status is `status`, or fails after the deadline. Every answer on the way
 * must be `status` or one of `meanwhile` (e.g. a 200 served from a short cache): never a 500.
 */
async function until(
  request: () => Promise<CallResult>,
  status: number,
  meanwhile: readonly number[] = [],
): Promise<CallResult> {
  const deadline = Date.now() + DEADLINE_MS;
  const seen: number[] = [];
  for (;;) {
    const result = await request();
    if (result.status === status) return result;
    seen.push(result.status);
    expect([...meanwhile, status]).toContain(result.status);
    if (Date.now() > deadline)
      throw new Error(`still not ${status} after ${DEADLINE_MS} ms: saw ${seen.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const accessTokenOf = (result: CallResult) => result.json<{ access_token: string }>().access_token;

describe('the token store Redis stopped', () => {
  it('token, introspection and revocation answer 503 temporarily_unavailable, then recover', async () => {
    const issued = accessTokenOf(await until(token, 200));
    await redis.stop();
    try {
      expectUnavailable(await token());
      expectUnavailable(await introspect(issued));
      expectUnavailable(await revoke(issued));
    } finally {
      await redis.start();
    }
    const fresh = accessTokenOf(await until(token, 200, [503]));
    expect((await until(() => introspect(fresh), 200, [503])).json().active).toBe(true);
    await until(() => revoke(fresh), 200, [503]);
    expect((await introspect(fresh)).json().active).toBe(false);
  });
});

describe('the client registry stopped', () => {
  it('token and revocation answer 503 once the short client cache runs out; introspection needs no registry; all recover', async () => {
    const issued = accessTokenOf(await until(token, 200));
    await e2e.system.stopRegistry();
    try {
      // The token service may serve a client from its read cache (at most CLIENT_REGISTRY_CACHE_MS).
      expectUnavailable(await until(token, 503, [200]));
      expectUnavailable(await until(() => revoke(issued), 503, [200]));
      expect((await introspect(issued)).status).toBe(200);
    } finally {
      await e2e.system.startRegistry();
    }
    const fresh = accessTokenOf(await until(token, 200, [503]));
    await until(() => revoke(fresh), 200, [503]);
  });
});

describe('a Redis answering OOM (noeviction, memory exhausted)', () => {
  it('the token endpoint answers 503 JSON and the authorization page sends temporarily_unavailable back; both recover', async () => {
    expect((await until(authorizationPage, 200)).status).toBe(200);
    const restore = await exhaustMemory(redis.url);
    try {
      expectUnavailable(await token());
      // The client and its redirect URI are verified: RFC 6749 §4.1.2.1 sends the error to the client.
      const page = await authorizationPage();
      expect(page.status).toBe(302);
      const location = new URL(page.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('temporarily_unavailable');
      expect(location.searchParams.get('state')).toBe('outage');
    } finally {
      await restore();
    }
    await until(token, 200, [503]);
    await until(authorizationPage, 200, [302]);
  });
});

afterAll(() => {
  expect(e2e.checked()).toBeGreaterThan(0);
  expect(e2e.violations).toEqual([]);
});
