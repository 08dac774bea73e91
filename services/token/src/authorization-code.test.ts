import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { deleteThroughEdge, registerThroughEdge, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import type { HttpResult } from '@psd2/testing';
import { generateOpaqueToken } from '@psd2/token-store';
import { expectError, issuedFrom, useTokenTestbed } from './test-support.js';

/*
 * authorization_code and refresh_token through the local mTLS edge, with refresh tokens as they are
 * by default: bound to the certificate and not rotated (FAPI 2.0). The registry read is not cached
 * here, so a deleted client is refused at once (invalid_client) rather than within the cache window.
 */

const testbed = useTokenTestbed({ label: 'token-code', env: { token: { CLIENT_REGISTRY_CACHE_MS: '0' } } });
const active = (accessToken: string) => testbed().active(accessToken);

describe('authorization_code and refresh_token (AISP)', () => {
  let aisp: RegisteredClient;
  beforeAll(async () => {
    aisp = await testbed().registerCodeClient('psp-ai', 'aisp extended_transaction_history');
  });

  const exchange = (code: string, verifier: string, overrides: Record<string, string> = {}) =>
    testbed().exchange(aisp, 'psp-ai', { code, verifier, grantId: '' }, overrides);
  const refresh = (refreshToken: string, fields: Record<string, string> = {}) =>
    testbed().token('psp-ai', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: refreshToken,
      ...fields,
    });

  it('exchanges a code for bound tokens; a refresh returns a new access token and keeps the refresh token', async () => {
    const { code, verifier } = await testbed().consent(aisp, 'aisp extended_transaction_history');
    const issued = issuedFrom(await exchange(code, verifier));
    expect(issued.scope).toBe('aisp extended_transaction_history');
    expect(issued.refresh_token).toEqual(expect.any(String));
    expect((await testbed().introspect('psp-as', issued.access_token)).json()).toMatchObject({
      active: true,
      sub: 'psu-0001',
      client_id: aisp.clientId,
      cnf: { 'x5t#S256': testbed().identity('psp-ai').x5tS256 },
    });

    // A refreshed token never carries extended_transaction_history: it needs a fresh SCA. The answer
    // has no refresh_token (RFC 6749 §6): the client keeps the one it has.
    const refreshed = await refresh(issued.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'aisp',
    });
    // The same refresh sent again, as after a lost response: answered again, nothing revoked.
    const retried = issuedFrom(await refresh(issued.refresh_token));
    for (const accessToken of [issued.access_token, refreshed.json<{ access_token: string }>().access_token])
      expect(await active(accessToken)).toBe(true);
    expect(await active(retried.access_token)).toBe(true);
  });

  /** What a code exchange answered is dead: its access token is inactive, its refresh token refused. */
  async function expectNothingLiveFrom(issued: HttpResult): Promise<void> {
    const { access_token: accessToken, refresh_token: refreshToken } = issuedFrom(issued);
    expect(await active(accessToken)).toBe(false);
    expectError(await refresh(refreshToken), 400, 'invalid_grant');
  }

  it('refuses a replayed code and revokes what the code bought', async () => {
    const { code, verifier } = await testbed().consent(aisp, 'aisp');
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    expectError(await exchange(code, verifier), 400, 'invalid_grant');
    await expectNothingLiveFrom(first);
  });

  // Two concurrent redemptions: the store lets exactly one use the code (contract tests); the other is a
  // replay and revokes the grant. Whether that revocation lands before or after the winner issues its
  // tokens is a race, so the winner is either refused too or holds tokens that are already dead.
  it('never lets two concurrent redemptions of a code both buy live tokens', async () => {
    const { code, verifier } = await testbed().consent(aisp, 'aisp');
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
    const { code, verifier } = await testbed().consent(aisp, 'aisp');
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

  describe.each([
    ['of the same organisation', 'psp-ai'],
    ['of another organisation', 'tpp-b'],
  ] as const)('a code presented by another client %s', (_case, thiefQwac: DemoQwacName) => {
    let thief: RegisteredClient;
    beforeAll(async () => {
      thief = await testbed().registerCodeClient(thiefQwac, 'aisp');
    });

    it('is invalid_grant while unused, and its owner still redeems it', async () => {
      const planted = await testbed().consent(aisp, 'aisp');
      expectError(await testbed().exchange(thief, thiefQwac, planted), 400, 'invalid_grant');
      const owner = issuedFrom(await testbed().exchange(aisp, 'psp-ai', planted));
      expect(await active(owner.access_token)).toBe(true);
    });

    it("is invalid_grant once used, and revokes nothing of the owner's grant", async () => {
      const planted = await testbed().consent(aisp, 'aisp');
      const owner = issuedFrom(await testbed().exchange(aisp, 'psp-ai', planted));
      expectError(await testbed().exchange(thief, thiefQwac, planted), 400, 'invalid_grant');
      expect(await active(owner.access_token)).toBe(true);
      const refreshed = issuedFrom(await refresh(owner.refresh_token));
      expect(await active(refreshed.access_token)).toBe(true);
    });
  });

  it('binds the refresh token to the certificate: a renewed certificate of the client is refused, at no cost', async () => {
    // tpp-a-renewed: the same organisation and subject, so it authenticates as the same client.
    const client = await testbed().registerCodeClient('tpp-a', 'aisp');
    const issued = issuedFrom(
      await testbed().exchange(client, 'tpp-a', await testbed().consent(client, 'aisp')),
    );
    expectError(await testbed().refresh(client, 'tpp-a-renewed', issued.refresh_token), 400, 'invalid_grant');
    expect(await active(issued.access_token)).toBe(true);
    const refreshed = issuedFrom(await testbed().refresh(client, 'tpp-a', issued.refresh_token));
    expect((await testbed().introspect('psp-as', refreshed.access_token)).json()).toMatchObject({
      active: true,
      cnf: { 'x5t#S256': testbed().identity('tpp-a').x5tS256 },
    });
  });

  it('allows narrowing but not widening the scope on refresh', async () => {
    const { code, verifier } = await testbed().consent(aisp, 'aisp');
    const { refresh_token: refreshToken } = issuedFrom(await exchange(code, verifier));
    expectError(
      await refresh(refreshToken, { scope: 'aisp extended_transaction_history' }),
      400,
      'invalid_scope',
    );
    expect((await refresh(refreshToken, { scope: 'aisp' })).status).toBe(200);
  });

  it('refuses to refresh an aisp grant for a certificate that lost PSP_AI', async () => {
    // A client of the PISP's organisation holding an aisp grant: its certificate carries no PSP_AI,
    // as a renewed QWAC that dropped the role would.
    const pisp = testbed().identity('psp-pi');
    const { client } = await testbed().registry.createClient({
      organizationId: pisp.organizationIdentifier,
      organizationName: 'Demo PISP',
      ncaId: pisp.ncaId,
      roles: ['PSP_AI', 'PSP_PI'],
      registeredSubjectDn: pisp.subjectDn,
      registeredCertificateThumbprint: pisp.x5tS256,
      metadata: {
        redirectUris: [TEST_REDIRECT_URI],
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code'],
        scope: 'aisp',
        tokenEndpointAuthMethod: 'tls_client_auth',
      },
    });
    const { grantId } = await testbed().consent(client, 'aisp');
    const refreshToken = generateOpaqueToken();
    const now = Math.floor(Date.now() / 1000);
    await testbed().store.saveRefreshToken(refreshToken, {
      grantId,
      clientId: client.clientId,
      scope: 'aisp',
      issuedAt: now,
      expiresAt: now + 3600,
      certificateThumbprint: pisp.x5tS256,
    });
    expectError(await testbed().refresh(client, 'psp-pi', refreshToken), 401, 'invalid_client');
  });

  it('makes every token of a client deleted with RFC 7592 DELETE through the edge inactive', async () => {
    const { system, registry } = testbed();
    const registration = await registerThroughEdge(system.client('psp-ai'));
    const doomed = await registry.getClient(registration.clientId);
    const issued = issuedFrom(
      await testbed().exchange(doomed, 'psp-ai', await testbed().consent(doomed, 'aisp')),
    );
    expect(await active(issued.access_token)).toBe(true);

    expect(await deleteThroughEdge(system.client('psp-ai'), registration)).toBe(204);
    expect(await active(issued.access_token)).toBe(false);
    expectError(await testbed().refresh(doomed, 'psp-ai', issued.refresh_token), 401, 'invalid_client');
  });
});
