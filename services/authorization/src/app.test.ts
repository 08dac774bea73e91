import { describe, expect, it } from '@jest/globals';
import { type ClientRegistry, RegistryUnavailableError } from '@psd2/client-registry-client';
import { PasswordChecksBusyError, type PsuAuthenticator, type PsuLookup } from '@psd2/psu-directory';
import type { RateLimiter } from '@psd2/rate-limit';
import { createMemoryTokenStore, type TokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { postFromPage, roomyThrottles, serveTestApp, TEST_CLIENT, TEST_QUERY } from './app.test-support.js';

/*
 * The app in-process with fakes, for failures a running system cannot be made to show on demand: an
 * unexpected error while issuing the code (server_error), the token store failing at that moment
 * (temporarily_unavailable), the registry unreachable (a page: nothing verified to redirect to).
 */

let failure: Error | undefined;
/** Which fake dependency is down (whileDown). */
const down = { registry: false, limiter: false };
async function whileDown(which: keyof typeof down, work: () => Promise<void>): Promise<void> {
  down[which] = true;
  try {
    await work();
  } finally {
    down[which] = false;
  }
}
const registry: Pick<ClientRegistry, 'getClient'> = {
  getClient: async () => {
    if (down.registry) throw new RegistryUnavailableError('unavailable', 14, 'down');
    return TEST_CLIENT;
  },
};
const tokenStore: TokenStore = {
  ...createMemoryTokenStore(),
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
const roomy = roomyThrottles();
const throttles = {
  ...roomy,
  sessionsPerAddress: {
    ...roomy.sessionsPerAddress,
    hit: (key: string) =>
      down.limiter ? Promise.reject(new Error('Redis down')) : roomy.sessionsPerAddress.hit(key),
  } satisfies RateLimiter,
};
const app = serveTestApp({ registry, tokenStore, throttles, authenticator: psus, psus });
const query = TEST_QUERY;

async function grantWith(error: Error | undefined): Promise<Response> {
  failure = error;
  return postFromPage(app.base(), `/oauth2/fr/sandbox/signin.html?${query}`, '/oauth2/fr/sandbox/consent', {
    psu: 'psu-1',
    decision: 'grant',
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
    await whileDown('registry', async () => {
      const result = await fetch(`${app.base()}/oauth2/en/sandbox/signin.html?${query}`, {
        redirect: 'manual',
      });
      expect(result.status).toBe(503);
      expect(result.headers.get('location')).toBeNull();
      const text = await result.text();
      expect(text).toContain('temporarily unavailable');
      expect(text).not.toContain('RegistryUnavailableError');
    });
  });
});

describe('overload', () => {
  it('too many password checks at once: the 503 page with Retry-After, never a 500', async () => {
    const result = await postFromPage(
      app.base(),
      `/oauth2/en/banque/oauth2_authorization.aspx?${query}`,
      '/oauth2/en/banque/signin',
      { customer_id: 'busy', password: 'x' },
    );
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toBe('5');
    expect(await result.text()).toContain('temporarily unavailable');
  });

  it('the rate limiter unreachable: temporarily_unavailable to the verified client, no session opened', async () => {
    await whileDown('limiter', async () => {
      const result = await fetch(`${app.base()}/oauth2/en/banque/oauth2_authorization.aspx?${query}`, {
        redirect: 'manual',
      });
      expect(result.status).toBe(302);
      expect(result.headers.getSetCookie()).toEqual([]);
      const location = new URL(result.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('temporarily_unavailable');
      expect(location.searchParams.get('state')).toBe('xyz');
    });
  });
});
