import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import {
  deleteThroughEdge,
  formPost,
  plantConsent,
  registerTestClient,
  registerThroughEdge,
  TEST_REDIRECT_URI,
} from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, startSystem } from '@psd2/testing';
import { createRedisTokenStore, generateOpaqueToken, type TokenStore } from '@psd2/token-store';

/*
 * RFC 7009 revocation through the local mTLS edge, with tokens issued by the real token service, so
 * that every cascade is observed the way the bank's API sees it: through introspection.
 */

let system: RunningSystem;
let registry: ClientRegistry;
let store: TokenStore;
let aisp: RegisteredClient;

beforeAll(async () => {
  // No registry read cache at the token service, so that a deleted client is refused at once.
  system = await startSystem({ label: 'revocation', env: { token: { CLIENT_REGISTRY_CACHE_MS: '0' } } });
  registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  aisp = await registerTestClient(registry, system.pki, 'psp-ai', {
    scope: 'aisp',
    grantTypes: ['authorization_code', 'refresh_token'],
  });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  await system?.stop();
});

interface Issued {
  readonly access_token: string;
  readonly refresh_token: string;
}

const post = (qwac: DemoQwacName | undefined, path: string, fields: Record<string, string>) =>
  system.client(qwac)(path, formPost(fields));
const revoke = (fields: Record<string, string>, qwac: DemoQwacName = 'psp-ai') =>
  post(qwac, '/oauth2/revoke', { client_id: aisp.clientId, ...fields });
const active = async (accessToken: string) => (await system.introspect(accessToken)).json().active;
const refresh = (refreshToken: string) =>
  post('psp-ai', '/oauth2/token', {
    grant_type: 'refresh_token',
    client_id: aisp.clientId,
    refresh_token: refreshToken,
  });

/** A real code exchange at the token service, for a consent planted as the authorization service would. */
async function issue(client: RegisteredClient = aisp, qwac: DemoQwacName = 'psp-ai'): Promise<Issued> {
  const { code, verifier } = await plantConsent(store, client, 'aisp');
  const response = await post(qwac, '/oauth2/token', {
    grant_type: 'authorization_code',
    client_id: client.clientId,
    code,
    redirect_uri: TEST_REDIRECT_URI,
    code_verifier: verifier,
  });
  expect(response.status).toBe(200);
  return response.json<Issued>();
}

/** An OAuth error response (RFC 6749 §5.2, RFC 7009 §2.2.1), never cached. */
function expectError(response: HttpResult, status: number, error: string) {
  expect({ status: response.status, error: response.json().error }).toEqual({ status, error });
  expect(response.headers.get('cache-control')).toBe('no-store');
}

function expectRevoked(response: HttpResult) {
  expect(response.status).toBe(200);
  expect(response.text).toBe('');
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('POST /oauth2/revoke (RFC 7009)', () => {
  it('revoking an access token revokes that token only', async () => {
    const first = await issue();
    const second = await refresh(first.refresh_token);
    const { access_token: sibling } = second.json<Issued>();
    expectRevoked(await revoke({ token: first.access_token, token_type_hint: 'access_token' }));
    expect(await active(first.access_token)).toBe(false);
    expect(await active(sibling)).toBe(true);
  });

  it('revoking a refresh token revokes its whole grant at once', async () => {
    const first = await issue();
    const refreshed = await refresh(first.refresh_token);
    expect(refreshed.status).toBe(200);
    const { access_token: second } = refreshed.json<Issued>();
    expectRevoked(await revoke({ token: first.refresh_token, token_type_hint: 'refresh_token' }));
    expect(await active(first.access_token)).toBe(false);
    expect(await active(second)).toBe(false);
    expectError(await refresh(first.refresh_token), 400, 'invalid_grant');
  });

  it.each([
    ['a wrong hint', 'access_token', 'refresh'],
    ['an unknown hint', 'id_token', 'refresh'],
    ['a wrong hint for an access token', 'refresh_token', 'access'],
  ] as const)('finds the token with %s', async (_case, hint, kind) => {
    const issued = await issue();
    const value = kind === 'refresh' ? issued.refresh_token : issued.access_token;
    expectRevoked(await revoke({ token: value, token_type_hint: hint }));
    expect(await active(issued.access_token)).toBe(false);
  });

  it('answers unknown, expired and already revoked tokens with the same empty 200', async () => {
    expectRevoked(await revoke({ token: generateOpaqueToken() }));
    const issued = await issue();
    expectRevoked(await revoke({ token: issued.access_token }));
    expectRevoked(await revoke({ token: issued.access_token }));
  });

  it("refuses to revoke another client's token, which stays valid", async () => {
    const other = await registerTestClient(registry, system.pki, 'tpp-b', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const theirs = await issue(other, 'tpp-b');
    for (const token of [theirs.access_token, theirs.refresh_token])
      expectError(await revoke({ token }), 400, 'invalid_grant');
    expect(await active(theirs.access_token)).toBe(true);
  });

  it('authenticates the client exactly as the token endpoint does', async () => {
    const issued = await issue();
    for (const qwac of ['tpp-b', 'qseal'] as const)
      expectError(await revoke({ token: issued.access_token }, qwac), 401, 'invalid_client');
    const anonymous = await post(undefined, '/oauth2/revoke', {
      client_id: aisp.clientId,
      token: issued.access_token,
    });
    expectError(anonymous, 401, 'invalid_client');
    expect(await active(issued.access_token)).toBe(true);
  });

  it('requires the token parameter and a form body', async () => {
    expectError(await revoke({}), 400, 'invalid_request');
    const json = await system.client('psp-ai')('/oauth2/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: aisp.clientId, token: 'x' }),
    });
    expectError(json, 415, 'invalid_request');
  });

  it('never leaves a usable token behind when revocation races a refresh of the same grant', async () => {
    for (let round = 0; round < 8; round += 1) {
      const issued = await issue();
      const [refreshed] = await Promise.all([
        refresh(issued.refresh_token),
        revoke({ token: issued.refresh_token, token_type_hint: 'refresh_token' }),
      ]);
      expect(await active(issued.access_token)).toBe(false);
      if (refreshed.status === 200) {
        expect(await active(refreshed.json<Issued>().access_token)).toBe(false);
      } else {
        expectError(refreshed, 400, 'invalid_grant');
      }
      expectError(await refresh(issued.refresh_token), 400, 'invalid_grant');
    }
  });

  it('deleting the client (RFC 7592 DELETE through the edge) makes every token of it inactive at once', async () => {
    const registration = await registerThroughEdge(system.client('psp-ai'));
    const { clientId } = registration;
    const client = await registry.getClient(clientId);
    const issued = await issue(client);
    const second = await issue(client);
    expect(await active(issued.access_token)).toBe(true);

    expect(await deleteThroughEdge(system.client('psp-ai'), registration)).toBe(204);
    for (const accessToken of [issued.access_token, second.access_token])
      expect(await active(accessToken)).toBe(false);
    const refreshed = await post('psp-ai', '/oauth2/token', {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: issued.refresh_token,
    });
    expectError(refreshed, 401, 'invalid_client');
  });
});
