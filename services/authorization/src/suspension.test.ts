import { describe, expect, it } from '@jest/globals';
import type { ClientRegistry, ClientSuspension, RegisteredClient } from '@psd2/client-registry-client';
import type { PsuAuthenticator, PsuLookup } from '@psd2/psu-directory';
import { createMemoryTokenStore } from '@psd2/token-store';
import { serveTestApp, TEST_CLIENT, TEST_QUERY } from './app.test-support.js';
import { csrfToken } from './test-support.js';

/*
 * Issue 18 at the authorization page: a client whose organisation the bank suspended cannot be trusted
 * with a redirect (the error page); a suspended role's scope goes back to the client as
 * unauthorized_client; a suspension that happens while the PSU decides ends the flow the same way.
 */

let suspension: ClientSuspension | undefined;
const registry: Pick<ClientRegistry, 'getClient'> = {
  getClient: async (): Promise<RegisteredClient> =>
    suspension === undefined ? TEST_CLIENT : { ...TEST_CLIENT, suspension },
};
const psus: PsuLookup & PsuAuthenticator = {
  listPsus: async () => [{ psuId: 'psu-1', displayName: 'One' }],
  findPsu: async (psuId) => (psuId === 'psu-1' ? { psuId, displayName: 'One' } : undefined),
  checkPassword: async (customerId) => ({ customerId, passed: false, refusal: 'wrong_password' }),
  checkOneTimeCode: async () => ({ status: 'refused', reason: 'wrong_password' }),
};
const tokenStore = createMemoryTokenStore();
const app = serveTestApp({ registry, tokenStore, authenticator: psus, psus });
const SIGN_IN = `/oauth2/en/sandbox/signin.html?${TEST_QUERY}`;

async function underSuspension<T>(value: ClientSuspension, work: () => Promise<T>): Promise<T> {
  suspension = value;
  try {
    return await work();
  } finally {
    suspension = undefined;
  }
}

describe('the authorization page and a suspended TPP', () => {
  it('shows the error page, never a redirect, for a suspended organisation', async () => {
    const result = await underSuspension({ organisationSuspended: true, suspendedRoles: [] }, () =>
      fetch(`${app.base()}${SIGN_IN}`, { redirect: 'manual' }),
    );
    expect(result.status).toBe(403);
    expect(result.headers.get('location')).toBeNull();
    expect(await result.text()).toContain('The bank has suspended the access of the provider');
  });

  it('redirects with unauthorized_client for the scope of a suspended role', async () => {
    const result = await underSuspension({ organisationSuspended: false, suspendedRoles: ['PSP_AI'] }, () =>
      fetch(`${app.base()}${SIGN_IN}`, { redirect: 'manual' }),
    );
    expect(result.status).toBe(302);
    const location = new URL(result.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('unauthorized_client');
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('issues no code when the TPP is suspended while the PSU decides', async () => {
    const whole = await decideAfterSuspension({ organisationSuspended: true, suspendedRoles: [] });
    expect(whole.status).toBe(403);
    expect(whole.headers.get('location')).toBeNull();

    const role = await decideAfterSuspension({ organisationSuspended: false, suspendedRoles: ['PSP_AI'] });
    const location = new URL(role.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('unauthorized_client');
    expect(location.searchParams.get('code')).toBeNull();
  });
});

/** Opens the flow with the client in good standing, then suspends it before the PSU's decision. */
async function decideAfterSuspension(value: ClientSuspension): Promise<Response> {
  const opened = await fetch(`${app.base()}${SIGN_IN}`);
  expect(opened.status).toBe(200);
  const cookie = opened.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const csrf = csrfToken(await opened.text());
  return underSuspension(value, () =>
    fetch(`${app.base()}/oauth2/en/sandbox/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf_token: csrf, psu: 'psu-1', decision: 'grant' }).toString(),
    }),
  );
}
