import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  type RegisteredClient,
  RegistryUnavailableError,
} from '@psd2/client-registry-client';
import { createLogger } from '@psd2/logging';
import { PasswordChecksBusyError, type PsuAuthenticator, type PsuLookup } from '@psd2/psu-directory';
import { createMemoryRateLimiter, type RateLimiter } from '@psd2/rate-limit';
import { type TokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { createAuthorizationApp } from './app.js';
import { createMemorySessionStore } from './session/stores.js';
import { authorizeQuery, csrfToken, pkcePair } from './test-support.js';

/*
 * The app in-process with fakes, for failures a running system cannot be made to show on demand: an
 * unexpected error while issuing the code (server_error), the token store failing at that moment
 * (temporarily_unavailable), the registry unreachable (a page: nothing verified to redirect to).
 */

const client: RegisteredClient = {
  clientId: 'client-1',
  organizationId: 'PSDFR-ACPR-1',
  organizationName: 'Fintech',
  ncaId: 'FR-ACPR',
  roles: ['PSP_AI'],
  registeredSubjectDn: 'CN=x',
  registeredCertificateThumbprint: 'x',
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

let failure: Error | undefined;
let registryDown = false;
const registry: Pick<ClientRegistry, 'getClient'> = {
  getClient: async () => {
    if (registryDown) throw new RegistryUnavailableError('unavailable', 14, 'down');
    return client;
  },
};
const tokenStore: Pick<TokenStore, 'createGrant' | 'saveAuthorizationCode'> = {
  createGrant: async () => {
    if (failure !== undefined) throw failure;
  },
  saveAuthorizationCode: async () => undefined,
};
const psus: PsuLookup & PsuAuthenticator = {
  listPsus: async () => [{ psuId: 'psu-1', displayName: 'One' }],
  findPsu: async (psuId) => (psuId === 'psu-1' ? { psuId, displayName: 'One' } : undefined),
  checkPassword: async (customerId) => {
    if (customerId === 'busy') throw new PasswordChecksBusyError('queue full');
    return { customerId, passed: false, refusal: 'wrong_password' };
  },
  checkOneTimeCode: async () => ({ status: 'refused', reason: 'wrong_password' }),
};
const sessions = createMemorySessionStore({ idleSeconds: 60, anonymousSeconds: 60 });
const roomy = (name: string) => createMemoryRateLimiter({ name, limit: 1000, windowSeconds: 60 });
let limiterDown = false;
const sessionsPerAddress = roomy('sessions');
const throttles = {
  sessionsPerAddress: {
    ...sessionsPerAddress,
    hit: (key: string) =>
      limiterDown ? Promise.reject(new Error('Redis down')) : sessionsPerAddress.hit(key),
  } satisfies RateLimiter,
  signInPerAddress: roomy('signin-address'),
  signInPerSession: roomy('signin-session'),
};
const app = createAuthorizationApp({
  logger: createLogger({ name: 'authorization-test', level: 'silent' }),
  issuer: 'https://as.example',
  mode: 'sandbox',
  bankPageInSandbox: true,
  pkceRequired: true,
  registry,
  tokenStore,
  sessions,
  throttles,
  authenticator: psus,
  psus,
});
let server: ReturnType<typeof app.listen>;
let base = '';

beforeAll(async () => {
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

async function grantWith(error: Error | undefined): Promise<Response> {
  failure = error;
  const page = await fetch(`${base}/oauth2/fr/sandbox/signin.html?${query}`);
  const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return fetch(`${base}/oauth2/fr/sandbox/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({
      csrf_token: csrfToken(await page.text()),
      psu: 'psu-1',
      decision: 'grant',
    }).toString(),
  });
}

describe('failures while issuing the code', () => {
  it('an unexpected error: server_error to the client, no detail leaked', async () => {
    const result = await grantWith(new Error('secret internals'));
    expect(result.status).toBe(303);
    const location = new URL(result.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('server_error');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe('https://as.example');
    expect(location.toString()).not.toContain('secret');
  });

  it('the token store unavailable: temporarily_unavailable', async () => {
    const result = await grantWith(new TokenStoreUnavailableError(new Error('down')));
    expect(new URL(result.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'temporarily_unavailable',
    );
  });

  it('success: a code', async () => {
    const result = await grantWith(undefined);
    expect(new URL(result.headers.get('location') ?? '').searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });
});

describe('the registry unreachable', () => {
  it('is a 503 page, never a redirect', async () => {
    registryDown = true;
    try {
      const result = await fetch(`${base}/oauth2/en/sandbox/signin.html?${query}`, { redirect: 'manual' });
      expect(result.status).toBe(503);
      expect(result.headers.get('location')).toBeNull();
      const text = await result.text();
      expect(text).toContain('temporarily unavailable');
      expect(text).not.toContain('RegistryUnavailableError');
    } finally {
      registryDown = false;
    }
  });
});

describe('overload', () => {
  it('too many password checks at once: the 503 page with Retry-After, never a 500', async () => {
    const page = await fetch(`${base}/oauth2/en/banque/oauth2_authorization.aspx?${query}`);
    const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const result = await fetch(`${base}/oauth2/en/banque/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({
        csrf_token: csrfToken(await page.text()),
        customer_id: 'busy',
        password: 'x',
      }).toString(),
    });
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toBe('5');
    expect(await result.text()).toContain('temporarily unavailable');
  });

  it('the rate limiter unreachable: temporarily_unavailable to the verified client, no session opened', async () => {
    limiterDown = true;
    try {
      const result = await fetch(`${base}/oauth2/en/banque/oauth2_authorization.aspx?${query}`, {
        redirect: 'manual',
      });
      expect(result.status).toBe(302);
      expect(result.headers.getSetCookie()).toEqual([]);
      const location = new URL(result.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('temporarily_unavailable');
      expect(location.searchParams.get('state')).toBe('xyz');
    } finally {
      limiterDown = false;
    }
  });
});
