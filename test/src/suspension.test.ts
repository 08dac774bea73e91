import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import {
  connectPostgres,
  createSuspensions,
  type RegistryDatabase,
  type Suspensions,
} from '@psd2/client-registry-service';
import { createLogger } from '@psd2/logging';
import {
  formPost,
  plantConsent,
  registerTestClient,
  registerThroughEdge,
  TEST_REDIRECT_URI,
} from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, startSystem } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';

/*
 * Issue 18 across the running services, behind the edge: an operator suspension (the registry's domain
 * function, as the admin API calls it, on the system's own database and Redis) refuses the TPP at
 * every endpoint and ends its tokens; reinstating restores the client, not the tokens. The token
 * service keeps its 5 s client cache, to show that a token issued inside that window is dead anyway.
 */

const OPERATOR = { subject: 'CN=Operator One,O=Bank', certificateThumbprint: 'b'.repeat(43) };
const AISP_ORGANISATION = 'PSDFR-ACPR-20001';
const PISP_ORGANISATION = 'PSDFR-ACPR-20002';

let system: RunningSystem;
let registry: ClientRegistry;
let store: TokenStore;
let database: RegistryDatabase;
let suspensions: Suspensions;
let aisp: RegisteredClient;
let pisp: RegisteredClient;

beforeAll(async () => {
  system = await startSystem({
    label: 'suspension',
    env: { token: { CLIENT_REGISTRY_CACHE_MS: '5000' }, revocation: { CLIENT_REGISTRY_CACHE_MS: '0' } },
  });
  registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  database = connectPostgres({ url: system.database.url, poolSize: 2 });
  suspensions = createSuspensions({
    database,
    tokenStore: store,
    logger: createLogger({ name: 'suspension-test', level: 'silent' }),
  });
  aisp = await registerTestClient(registry, system.pki, 'psp-ai', {
    scope: 'aisp',
    grantTypes: ['authorization_code', 'refresh_token'],
  });
  pisp = await registerTestClient(registry, system.pki, 'psp-pi', {
    scope: 'pisp',
    grantTypes: ['client_credentials'],
  });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  await database?.close();
  await system?.stop();
});

const post = (qwac: DemoQwacName, path: string, fields: Record<string, string>) =>
  system.client(qwac)(path, formPost(fields));
const active = async (accessToken: string) => (await system.introspect(accessToken)).json().active;

async function exchangeConsent() {
  const { code, verifier } = await plantConsent(store, aisp, 'aisp');
  return post('psp-ai', '/oauth2/token', {
    grant_type: 'authorization_code',
    client_id: aisp.clientId,
    code,
    redirect_uri: TEST_REDIRECT_URI,
    code_verifier: verifier,
  });
}

const clientCredentials = () =>
  post('psp-pi', '/oauth2/token', {
    grant_type: 'client_credentials',
    client_id: pisp.clientId,
    scope: 'pisp',
  });

/** Polls `request` until it answers `status`, for at most the services' cache lifetime and a margin. */
async function eventuallyAnswers(request: () => Promise<HttpResult>, status: number): Promise<HttpResult> {
  const deadline = Date.now() + 7000;
  let last = await request();
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await request();
  }
  return last;
}

describe('a suspended organisation', () => {
  it('is refused everywhere, its tokens end at once, and reinstating brings back the client only', async () => {
    const registration = await registerThroughEdge(system.client('psp-ai'));
    const issued = (await exchangeConsent()).json<{ access_token: string; refresh_token: string }>();
    expect(await active(issued.access_token)).toBe(true);

    const request = {
      organizationId: AISP_ORGANISATION,
      operator: OPERATOR,
      reason: 'ACPR withdrew the licence',
    };
    await expect(suspensions.suspend(request)).resolves.toMatchObject({ changed: true });

    expect(await active(issued.access_token)).toBe(false);
    const refused = await eventuallyAnswers(exchangeConsent, 401);
    expect(refused.json()).toMatchObject({ error: 'invalid_client' });
    const refresh = await post('psp-ai', '/oauth2/token', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: issued.refresh_token,
    });
    expect(refresh.status).toBe(401);
    const revoke = await post('psp-ai', '/oauth2/revoke', {
      client_id: aisp.clientId,
      token: issued.access_token,
    });
    expect({ status: revoke.status, error: revoke.json().error }).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    const managed = await system.client('psp-ai')(`/oauth2/register/${registration.clientId}`, {
      headers: { authorization: `Bearer ${registration.registrationAccessToken}` },
    });
    expect({ status: managed.status, error: managed.json().error }).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    await expect(registerThroughEdge(system.client('psp-ai'))).rejects.toThrow(/answered 401/);

    await suspensions.reinstate({ ...request, reason: 'Licence restored' });
    const renewed = await eventuallyAnswers(exchangeConsent, 200);
    expect(await active(renewed.json<{ access_token: string }>().access_token)).toBe(true);
    expect(await active(issued.access_token)).toBe(false);
  });

  it('gets a token dead on arrival while the token service still holds it in its cache', async () => {
    const before = await clientCredentials();
    expect(before.status).toBe(200);
    const request = { organizationId: PISP_ORGANISATION, operator: OPERATOR, reason: 'Cache window' };
    await suspensions.suspend(request);
    try {
      const cached = await clientCredentials();
      // Within the 5 s cache the token endpoint may still answer; whatever it issued is inactive.
      if (cached.status === 200)
        expect(await active(cached.json<{ access_token: string }>().access_token)).toBe(false);
      expect(await active(before.json<{ access_token: string }>().access_token)).toBe(false);
      expect((await eventuallyAnswers(clientCredentials, 401)).status).toBe(401);
    } finally {
      await suspensions.reinstate(request);
    }
  });
});

describe('a suspended role', () => {
  it('refuses its scope with unauthorized_client and lets the organisation’s other roles work', async () => {
    const both = await registerTestClient(registry, system.pki, 'tpp-a', {
      scope: 'aisp pisp',
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    const pispToken = () =>
      post('tpp-a', '/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: both.clientId,
        scope: 'pisp',
      });
    const earlier = (await pispToken()).json<{ access_token: string }>().access_token;
    const request = {
      organizationId: both.organizationId,
      role: 'PSP_PI' as const,
      operator: OPERATOR,
      reason: 'PI role withdrawn',
    };
    await suspensions.suspend(request);
    expect(await active(earlier)).toBe(false);
    const refused = await eventuallyAnswers(pispToken, 400);
    expect(refused.json()).toMatchObject({ error: 'unauthorized_client' });

    const { code, verifier } = await plantConsent(store, both, 'aisp');
    const aispToken = await post('tpp-a', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: both.clientId,
      code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(aispToken.status).toBe(200);
    expect(await active(aispToken.json<{ access_token: string }>().access_token)).toBe(true);
    await suspensions.reinstate(request);
  });
});
