import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { connectPostgres, type PsuAuthenticator, type PsuLookup } from '@psd2/psu-directory';
import { freePort } from '@psd2/testing';
import { createMemoryTokenStore, type TokenStore } from '@psd2/token-store';
import { ISSUER, postFromPage, serveTestApp, TEST_CLIENT, TEST_QUERY } from './app.test-support.js';

/*
 * The PSU directory's PostgreSQL failing under the pages: the error node-postgres really throws for a
 * database that cannot be reached is a 503 page (the shared rule, isDependencyUnavailable), never 500.
 */

let databaseError: unknown;
const registry: Pick<ClientRegistry, 'getClient'> = { getClient: async () => TEST_CLIENT };
const tokenStore: TokenStore = {
  ...createMemoryTokenStore(),
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
const app = serveTestApp({ registry, tokenStore, authenticator: psus, psus });
const query = TEST_QUERY;
const signInWith = (customerId: string, password: string) =>
  postFromPage(
    app.base(),
    `/oauth2/en/banque/oauth2_authorization.aspx?${query}`,
    '/oauth2/en/banque/signin',
    { customer_id: customerId, password },
    { origin: ISSUER },
  );

beforeAll(async () => {
  const unreachable = connectPostgres({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
  databaseError = await unreachable.ping().then(
    () => undefined,
    (error: unknown) => error,
  );
  await unreachable.close().catch(() => undefined);
  expect(databaseError).toBeInstanceOf(Error);
});

describe('the PSU directory database unreachable', () => {
  it('the sandbox page (which lists PSUs) is the 503 page', async () => {
    const page = await fetch(`${app.base()}/oauth2/fr/sandbox/signin.html?${query}`, { redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('the bank sign-in is the 503 page', async () => {
    const result = await signInWith('psu-1', 'wrong password');
    expect(result.status).toBe(503);
    expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('an identity provider that keeps the identifier as typed in the first factor', () => {
  it('a session that would outgrow its bound is the 400 page, not a 500', async () => {
    passwordCheck = async (customerId) => ({ customerId, passed: false, refusal: 'unknown_or_locked' });
    try {
      const result = await signInWith('\u0000'.repeat(5000), 'pw');
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      passwordCheck = failing;
    }
  });
});
