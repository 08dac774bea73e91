import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import {
  formPost,
  identityOf,
  plantConsent,
  registerTestClient,
  TEST_REDIRECT_URI,
} from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, startSystem } from '@psd2/testing';
import { createRedisTokenStore, generateOpaqueToken, type TokenStore } from '@psd2/token-store';

/*
 * The token endpoint, introspection and metadata through the local mTLS edge, against the real
 * registry (gRPC, PostgreSQL) and Redis. Codes and grants are planted in the token store exactly as
 * the authorization service writes them after a PSU's consent.
 */

let system: RunningSystem;
let registry: ClientRegistry;
let store: TokenStore;

beforeAll(async () => {
  system = await startSystem({ label: 'token' });
  registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  await system?.stop();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const REDIRECT_URI = TEST_REDIRECT_URI;
const identity = (qwac: DemoQwacName) => identityOf(system.pki, qwac);
const registerClient = (qwac: DemoQwacName, metadata: { scope: string; grantTypes: string[] }) =>
  registerTestClient(registry, system.pki, qwac, metadata);
const consent = (client: RegisteredClient, scope: string) => plantConsent(store, client, scope);

const token = (qwac: DemoQwacName | undefined, fields: Record<string, string>) =>
  system.client(qwac)('/oauth2/token', formPost(fields));
const introspect = (qwac: DemoQwacName | undefined, value: string) =>
  system.client(qwac)('/oauth2/introspect', formPost({ token: value }));

function expectError(response: HttpResult, status: number, error: string) {
  expect({ status: response.status, error: response.json().error }).toEqual({ status, error });
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('client_credentials (PISP)', () => {
  let pisp: RegisteredClient;
  beforeAll(async () => {
    pisp = await registerClient('psp-pi', { scope: 'pisp', grantTypes: ['client_credentials'] });
  });

  it('issues a certificate-bound pisp token, no refresh token, never cached', async () => {
    const response = await token('psp-pi', {
      grant_type: 'client_credentials',
      client_id: pisp.clientId,
      scope: 'pisp',
    });
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'pisp',
    });
    expect(String(body.access_token).length).toBeGreaterThanOrEqual(43);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');

    const introspection = await introspect('psp-as', String(body.access_token));
    expect(introspection.status).toBe(200);
    expect(introspection.json()).toMatchObject({
      active: true,
      scope: 'pisp',
      client_id: pisp.clientId,
      token_type: 'Bearer',
      iss: system.edgeUrl,
      organization_id: 'PSDFR-ACPR-20002',
      cnf: { 'x5t#S256': identity('psp-pi').x5tS256 },
    });
    expect(introspection.json()).not.toHaveProperty('sub');
  });

  it('defaults the scope to the registered pisp scope', async () => {
    const response = await token('psp-pi', { grant_type: 'client_credentials', client_id: pisp.clientId });
    expect(response.json()).toMatchObject({ scope: 'pisp' });
  });

  it.each([
    ['no certificate', undefined, {}, 401, 'invalid_client'],
    ["another organisation's certificate with the stolen client_id", 'tpp-b', {}, 401, 'invalid_client'],
    ['a QSealC', 'qseal', {}, 401, 'invalid_client'],
    ['an unknown client_id', 'psp-pi', { client_id: 'no-such-client' }, 401, 'invalid_client'],
    ['a scope outside the registration', 'psp-pi', { scope: 'aisp' }, 400, 'invalid_scope'],
    ['an unknown scope', 'psp-pi', { scope: 'openid' }, 400, 'invalid_scope'],
    ['an unknown grant type', 'psp-pi', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ['no grant type', 'psp-pi', { grant_type: '' }, 400, 'invalid_request'],
  ] as const)('refuses %s', async (_case, qwac, overrides, status, error) => {
    const fields: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: pisp.clientId,
      scope: 'pisp',
      ...overrides,
    };
    expectError(await token(qwac, fields), status, error);
  });

  it('refuses a repeated parameter and a body that is not a form', async () => {
    const repeated = await system.client('psp-pi')('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${pisp.clientId}&scope=pisp&scope=aisp`,
    });
    expectError(repeated, 400, 'invalid_request');
    const json = await system.client('psp-pi')('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: pisp.clientId }),
    });
    expectError(json, 415, 'invalid_request');
  });

  it('refuses a client not registered for the grant', async () => {
    const aisp = await registerClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    expectError(
      await token('psp-ai', { grant_type: 'client_credentials', client_id: aisp.clientId }),
      400,
      'unauthorized_client',
    );
  });
});

describe('authorization_code and refresh_token (AISP)', () => {
  let aisp: RegisteredClient;
  beforeAll(async () => {
    aisp = await registerClient('psp-ai', {
      scope: 'aisp extended_transaction_history',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
  });

  const exchange = (code: string, verifier: string, overrides: Record<string, string> = {}) =>
    token('psp-ai', {
      grant_type: 'authorization_code',
      client_id: aisp.clientId,
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      ...overrides,
    });

  it('exchanges a code for bound tokens, refreshes with rotation, and punishes reuse', async () => {
    const { code, verifier } = await consent(aisp, 'aisp extended_transaction_history');
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    const issued = first.json<{ access_token: string; refresh_token: string; scope: string }>();
    expect(issued.scope).toBe('aisp extended_transaction_history');
    expect(issued.refresh_token).toEqual(expect.any(String));
    expect((await introspect('psp-as', issued.access_token)).json()).toMatchObject({
      active: true,
      sub: 'psu-0001',
      client_id: aisp.clientId,
      cnf: { 'x5t#S256': identity('psp-ai').x5tS256 },
    });

    // A refreshed token never carries extended_transaction_history: it needs a fresh SCA.
    const refreshed = await token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: issued.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const second = refreshed.json<{ access_token: string; refresh_token: string; scope: string }>();
    expect(second.scope).toBe('aisp');
    expect(second.refresh_token).not.toBe(issued.refresh_token);

    const again = await token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: second.refresh_token,
    });
    expect(again.status).toBe(200);
    const third = again.json<{ access_token: string; refresh_token: string }>();

    // Reusing a rotated refresh token revokes the whole grant.
    expectError(
      await token('psp-ai', {
        grant_type: 'refresh_token',
        client_id: aisp.clientId,
        refresh_token: issued.refresh_token,
      }),
      400,
      'invalid_grant',
    );
    for (const accessToken of [issued.access_token, second.access_token, third.access_token]) {
      expect((await introspect('psp-as', accessToken)).json()).toEqual({ active: false });
    }
    expectError(
      await token('psp-ai', {
        grant_type: 'refresh_token',
        client_id: aisp.clientId,
        refresh_token: third.refresh_token,
      }),
      400,
      'invalid_grant',
    );
  });

  /** What a code exchange answered is dead: its access token is inactive, its refresh token refused. */
  async function expectNothingLiveFrom(issued: HttpResult): Promise<void> {
    const { access_token: accessToken, refresh_token: refreshToken } = issued.json<{
      access_token: string;
      refresh_token: string;
    }>();
    expect((await introspect('psp-as', accessToken)).json()).toEqual({ active: false });
    expectError(
      await token('psp-ai', {
        grant_type: 'refresh_token',
        client_id: aisp.clientId,
        refresh_token: refreshToken,
      }),
      400,
      'invalid_grant',
    );
  }

  it('refuses a replayed code and revokes what the code bought', async () => {
    const { code, verifier } = await consent(aisp, 'aisp');
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    expectError(await exchange(code, verifier), 400, 'invalid_grant');
    await expectNothingLiveFrom(first);
  });

  // Two concurrent redemptions: the store lets exactly one use the code (contract tests); the other is a
  // replay and revokes the grant. Whether that revocation lands before or after the winner issues its
  // tokens is a race, so the winner is either refused too or holds tokens that are already dead.
  it('never lets two concurrent redemptions of a code both buy live tokens', async () => {
    const { code, verifier } = await consent(aisp, 'aisp');
    const results = await Promise.all([exchange(code, verifier), exchange(code, verifier)]);
    const refused = results.filter((result) => result.status !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const result of refused) expectError(result, 400, 'invalid_grant');
    for (const winner of results.filter((result) => result.status === 200)) {
      await expectNothingLiveFrom(winner);
    }
  });

  it.each([
    ['a wrong code_verifier', { code_verifier: randomBytes(32).toString('base64url') }, 400, 'invalid_grant'],
    ['no code_verifier', { code_verifier: '' }, 400, 'invalid_request'],
    ['another redirect_uri', { redirect_uri: 'https://tpp.example/other' }, 400, 'invalid_grant'],
    ['no redirect_uri', { redirect_uri: '' }, 400, 'invalid_request'],
  ] as const)('refuses %s without burning the code of its owner', async (_case, overrides, status, error) => {
    const { code, verifier } = await consent(aisp, 'aisp');
    expectError(await exchange(code, verifier, overrides), status, error);
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('refuses an unknown code', async () => {
    expectError(
      await exchange(generateOpaqueToken(), randomBytes(32).toString('base64url')),
      400,
      'invalid_grant',
    );
  });

  it('refuses a code issued to another client, which its owner can still redeem', async () => {
    const other = await registerClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const { code, verifier } = await consent(other, 'aisp');
    expectError(await exchange(code, verifier), 400, 'invalid_grant');
    const owner = await token('psp-ai', {
      grant_type: 'authorization_code',
      client_id: other.clientId,
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(owner.status).toBe(200);
  });

  it('allows narrowing but not widening the scope on refresh', async () => {
    const { code, verifier } = await consent(aisp, 'aisp');
    const { refresh_token: refreshToken } = (await exchange(code, verifier)).json<{
      refresh_token: string;
    }>();
    const widened = await token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: refreshToken,
      scope: 'aisp extended_transaction_history',
    });
    expectError(widened, 400, 'invalid_scope');
    const same = await token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: refreshToken,
      scope: 'aisp',
    });
    expect(same.status).toBe(200);
  });

  it('refuses to refresh an aisp grant for a certificate that lost PSP_AI', async () => {
    // A client of the PISP's organisation holding an aisp grant: its certificate carries no PSP_AI,
    // as a renewed QWAC that dropped the role would.
    const pisp = identity('psp-pi');
    const { client } = await registry.createClient({
      organizationId: pisp.organizationIdentifier,
      organizationName: 'Demo PISP',
      ncaId: pisp.ncaId,
      roles: ['PSP_AI', 'PSP_PI'],
      registeredSubjectDn: pisp.subjectDn,
      registeredCertificateThumbprint: pisp.x5tS256,
      metadata: {
        redirectUris: [REDIRECT_URI],
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code'],
        scope: 'aisp',
        tokenEndpointAuthMethod: 'tls_client_auth',
      },
    });
    const { grantId } = await consent(client, 'aisp');
    const refreshToken = generateOpaqueToken();
    await store.saveRefreshToken(refreshToken, {
      grantId,
      clientId: client.clientId,
      scope: 'aisp',
      issuedAt: nowSeconds(),
      expiresAt: nowSeconds() + 3600,
    });
    expectError(
      await token('psp-pi', {
        grant_type: 'refresh_token',
        client_id: client.clientId,
        refresh_token: refreshToken,
      }),
      401,
      'invalid_client',
    );
  });

  it('makes every token of a deleted client inactive', async () => {
    const doomed = await registerClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const { code, verifier } = await consent(doomed, 'aisp');
    const exchanged = await token('psp-ai', {
      grant_type: 'authorization_code',
      client_id: doomed.clientId,
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    const { access_token: accessToken, refresh_token: refreshToken } = exchanged.json<{
      access_token: string;
      refresh_token: string;
    }>();
    // What the registration service's RFC 7592 DELETE does.
    await registry.deleteClient({
      clientId: doomed.clientId,
      actor: { organizationId: doomed.organizationId, certificateThumbprint: identity('psp-ai').x5tS256 },
    });
    await store.revokeClient(doomed.clientId);
    expect((await introspect('psp-as', accessToken)).json()).toEqual({ active: false });
    // Within the registry read cache's bound (CLIENT_REGISTRY_CACHE_MS) the deleted client may still
    // authenticate, but its grant is dead: the refresh fails either way and yields no token.
    const refreshed = await token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: doomed.clientId,
      refresh_token: refreshToken,
    });
    expect(['invalid_client', 'invalid_grant']).toContain(refreshed.json().error);
    expect(refreshed.json()).not.toHaveProperty('access_token');
  });
});

describe('introspection (RFC 7662)', () => {
  it('answers only {"active": false} for an unknown token', async () => {
    const response = await introspect('psp-as', generateOpaqueToken());
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ active: false });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses callers that are neither PSP_AS nor allow-listed, and callers without a certificate', async () => {
    expectError(await introspect('tpp-a', generateOpaqueToken()), 401, 'invalid_client');
    expectError(await introspect(undefined, generateOpaqueToken()), 401, 'invalid_client');
  });

  it('requires the token parameter', async () => {
    expectError(await system.client('psp-as')('/oauth2/introspect', formPost({})), 400, 'invalid_request');
  });
});

describe('authorization server metadata (RFC 8414)', () => {
  it('describes the server to anyone, without a certificate', async () => {
    const response = await system.client(undefined)('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const metadata = response.json();
    expect(metadata).toMatchObject({
      issuer: system.edgeUrl,
      token_endpoint: `${system.edgeUrl}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['tls_client_auth'],
      tls_client_certificate_bound_access_tokens: true,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      ui_locales_supported: ['fr', 'en'],
      mtls_endpoint_aliases: { token_endpoint: `${system.edgeUrl}/oauth2/token` },
    });
    expect(metadata.authorization_endpoint).toBe(`${system.edgeUrl}/oauth2/fr/sandbox/signin.html`);
  });
});
