import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { createLogger } from '@psd2/logging';
import { connectPostgres, type PsuAuthenticator, type PsuLookup } from '@psd2/psu-directory';
import { createMemoryRateLimiter } from '@psd2/rate-limit';
import { freePort } from '@psd2/testing';
import type { TokenStore } from '@psd2/token-store';
import { createAuthorizationApp } from './app.js';
import { createMemorySessionStore } from './session/stores.js';
import { authorizeQuery, csrfToken, pkcePair } from './test-support.js';

/*
 * The PSU directory's PostgreSQL failing under the pages: the error node-postgres really throws for a
 * database that cannot be reached is a 503 page (the shared rule, isDependencyUnavailable), never 500.
 */

const ISSUER = 'https://as.example';
const client: RegisteredClient = {
  clientId: 'client-1',
  organizationId: 'PSDFR-ACPR-1',
  organizationName: 'Fintech',
  ncaId: 'FR-ACPR',
  roles: ['PSP_AI'],
  registeredSubjectDn: 'CN=app',
  registeredCertificateThumbprint: 'x'.repeat(43),
  metadata: {
    redirectUris: ['https://tpp.example/cb'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    scope: 'aisp',
  },
  status: 'active',
  createdAt: new Date(),
  updatedAt: new Date(),
  version: 1,
};

let databaseError: unknown;
const registry: Pick<ClientRegistry, 'getClient'> = { getClient: async () => client };
const tokenStore: Pick<TokenStore, 'createGrant' | 'saveAuthorizationCode'> = {
  createGrant: async () => undefined,
  saveAuthorizationCode: async () => undefined,
};
const failing = async (): Promise<never> => {
  throw databaseError;
};
/** The password step: failing (database unreachable) unless a test says otherwise. */
let passwordCheck: PsuAuthenticator['checkPassword'] = failing;
const psus: PsuLookup & PsuAuthenticator = {
  listPsus: failing,
  findPsu: failing,
  checkPassword: (customerId, password) => passwordCheck(customerId, password),
  checkOneTimeCode: failing,
};
const app = createAuthorizationApp({
  logger: createLogger({ name: 'authorization-test', level: 'silent' }),
  issuer: ISSUER,
  mode: 'sandbox',
  bankPageInSandbox: true,
  pkceRequired: true,
  registry,
  tokenStore,
  sessions: createMemorySessionStore({ idleSeconds: 60, anonymousSeconds: 60 }),
  throttles: {
    sessionsPerAddress: createMemoryRateLimiter({ name: 'sessions', limit: 1000, windowSeconds: 60 }),
    signInPerAddress: createMemoryRateLimiter({ name: 'signin-address', limit: 1000, windowSeconds: 60 }),
    signInPerSession: createMemoryRateLimiter({ name: 'signin-session', limit: 1000, windowSeconds: 60 }),
  },
  authenticator: psus,
  psus,
});
let server: ReturnType<typeof app.listen>;
let base = '';

beforeAll(async () => {
  const unreachable = connectPostgres({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
  databaseError = await unreachable.ping().then(
    () => undefined,
    (error: unknown) => error,
  );
  await unreachable.close().catch(() => undefined);
  expect(databaseError).toBeInstanceOf(Error);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const query = authorizeQuery({
  response_type: 'code',
  client_id: 'client-1',
  redirect_uri: 'https://tpp.example/cb',
  scope: 'aisp',
  state: 'xyz',
  code_challenge: pkcePair().challenge,
  code_challenge_method: 'S256',
});

describe('the PSU directory database unreachable', () => {
  it('the sandbox page (which lists PSUs) is the 503 page', async () => {
    const page = await fetch(`${base}/oauth2/fr/sandbox/signin.html?${query}`, { redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('the bank sign-in is the 503 page', async () => {
    const page = await fetch(`${base}/oauth2/en/banque/oauth2_authorization.aspx?${query}`);
    expect(page.status).toBe(200);
    const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const result = await fetch(`${base}/oauth2/en/banque/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: ISSUER },
      body: new URLSearchParams({
        csrf_token: csrfToken(await page.text()),
        customer_id: 'psu-1',
        password: 'wrong password',
      }).toString(),
    });
    expect(result.status).toBe(503);
    expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('an identity provider that keeps the identifier as typed in the first factor', () => {
  it('a session that would outgrow its bound is the 400 page, not a 500', async () => {
    passwordCheck = async (customerId) => ({ customerId, passed: false, refusal: 'unknown_or_locked' });
    try {
      const page = await fetch(`${base}/oauth2/en/banque/oauth2_authorization.aspx?${query}`);
      const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const result = await fetch(`${base}/oauth2/en/banque/signin`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: ISSUER },
        body: new URLSearchParams({
          csrf_token: csrfToken(await page.text()),
          customer_id: '\u0000'.repeat(5000),
          password: 'pw',
        }).toString(),
      });
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      passwordCheck = failing;
    }
  });
});
