import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { formPost } from '@psd2/oauth-test-fixtures';
import { generateOpaqueToken } from '@psd2/token-store';
import { expectError, useTokenTestbed } from './test-support.js';

/*
 * Client credentials, introspection and metadata through the local mTLS edge, against the real
 * registry (gRPC, PostgreSQL) and Redis. Codes and refresh tokens: authorization-code.test.ts and
 * refresh-rotation.test.ts.
 */

const testbed = useTokenTestbed({ label: 'token' });
const token: ReturnType<typeof testbed>['token'] = (qwac, fields) => testbed().token(qwac, fields);
const introspect: ReturnType<typeof testbed>['introspect'] = (qwac, value) =>
  testbed().introspect(qwac, value);

describe('client_credentials (PISP)', () => {
  let pisp: RegisteredClient;
  beforeAll(async () => {
    pisp = await testbed().registerClient('psp-pi', { scope: 'pisp', grantTypes: ['client_credentials'] });
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
      iss: testbed().system.edgeUrl,
      organization_id: 'PSDFR-ACPR-20002',
      cnf: { 'x5t#S256': testbed().identity('psp-pi').x5tS256 },
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
    const repeated = await testbed().system.client('psp-pi')('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${pisp.clientId}&scope=pisp&scope=aisp`,
    });
    expectError(repeated, 400, 'invalid_request');
    const json = await testbed().system.client('psp-pi')('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: pisp.clientId }),
    });
    expectError(json, 415, 'invalid_request');
  });

  it('refuses a client not registered for the grant', async () => {
    const aisp = await testbed().registerCodeClient('psp-ai', 'aisp');
    expectError(
      await token('psp-ai', { grant_type: 'client_credentials', client_id: aisp.clientId }),
      400,
      'unauthorized_client',
    );
  });
});

describe('introspection (RFC 7662)', () => {
  it('answers only {"active": false} for an unknown token', async () => {
    const response = await introspect('psp-as', generateOpaqueToken());
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ active: false });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses every organisation but the allow-listed bank API, and callers without a certificate', async () => {
    // psp-as-other: another bank's valid PSP_AS QWAC; every bank in the EU holds the role.
    for (const qwac of ['psp-as-other', 'tpp-a', undefined] as const) {
      expectError(await introspect(qwac, generateOpaqueToken()), 401, 'invalid_client');
    }
  });

  it("tells another bank's API nothing about an active token", async () => {
    const pisp = await testbed().registerClient('psp-pi', {
      scope: 'pisp',
      grantTypes: ['client_credentials'],
    });
    const issued = await token('psp-pi', { grant_type: 'client_credentials', client_id: pisp.clientId });
    const accessToken = issued.json<{ access_token: string }>().access_token;
    const refused = await introspect('psp-as-other', accessToken);
    expectError(refused, 401, 'invalid_client');
    expect(refused.text).not.toContain(pisp.clientId);
    expect((await introspect('psp-as', accessToken)).json()).toMatchObject({ active: true });
  });

  it('requires the token parameter', async () => {
    expectError(
      await testbed().system.internalClient('psp-as')('/oauth2/introspect', formPost({})),
      400,
      'invalid_request',
    );
  });
});

describe('authorization server metadata (RFC 8414)', () => {
  it('describes the server to anyone, without a certificate', async () => {
    const { system } = testbed();
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
      pushed_authorization_request_endpoint: `${system.edgeUrl}/oauth2/par`,
      // A sandbox, PAR_REQUIRED unset: authorization requests may also come by query.
      require_pushed_authorization_requests: false,
      authorization_details_types_supported: ['payment_initiation'],
    });
    expect(metadata.authorization_endpoint).toBe(`${system.edgeUrl}/oauth2/fr/sandbox/signin.html`);
  });
});
