import { describe, expect, it } from '@jest/globals';
import { ClientNotFoundError, type ClientRegistry } from '@psd2/client-registry-client';
import type { PsuAuthenticator, PsuLookup } from '@psd2/psu-directory';
import { createMemoryTokenStore, type GrantRecord, generateGrantId } from '@psd2/token-store';
import { serveTestApp, TEST_CLIENT } from './app.test-support.js';
import { csrfToken } from './test-support.js';

/*
 * The consent page in a sandbox, in process: the simulated customer picker signs a customer in (never
 * the bank's sign-in), the list shows that customer's grants, a withdrawal revokes the grant.
 */

const now = () => Math.floor(Date.now() / 1000);
const tokenStore = createMemoryTokenStore();
const registry: Pick<ClientRegistry, 'getClient'> = {
  getClient: async (clientId) => {
    if (clientId !== TEST_CLIENT.clientId) throw new ClientNotFoundError('not_found', 5, clientId);
    return { ...TEST_CLIENT, metadata: { ...TEST_CLIENT.metadata, clientName: 'Budget <App>' } };
  },
};
const psus: PsuLookup & PsuAuthenticator = {
  listPsus: async () => [
    { psuId: 'psu-1', displayName: 'One' },
    { psuId: 'psu-2', displayName: 'Two' },
  ],
  findPsu: async (psuId) => (['psu-1', 'psu-2'].includes(psuId) ? { psuId, displayName: psuId } : undefined),
  checkPassword: async () => {
    throw new Error('the sandbox never checks a password');
  },
  checkOneTimeCode: async () => {
    throw new Error('the sandbox never checks a code');
  },
};
const app = serveTestApp({ registry, tokenStore, authenticator: psus, psus });

async function plantGrant(subject: string, clientId = TEST_CLIENT.clientId): Promise<GrantRecord> {
  const grant: GrantRecord = {
    grantId: generateGrantId(),
    clientId,
    organizationId: TEST_CLIENT.organizationId,
    subject,
    scope: 'aisp',
    authTime: now(),
    createdAt: now(),
    expiresAt: now() + 3600,
  };
  await tokenStore.createGrant(grant);
  return grant;
}

const CONSENTS = '/oauth2/en/banque/autorisations';

function consentsCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-psd2-consents='));
  if (cookie === undefined) throw new Error('no consent page cookie');
  return cookie.split(';')[0] ?? '';
}

const post = (path: string, cookie: string, fields: Record<string, string>) =>
  fetch(`${app.base()}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  });

async function signInAs(psuId: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${app.base()}${CONSENTS}`);
  const csrf = csrfToken(await page.text());
  const picked = await post(`${CONSENTS}/simulation`, consentsCookie(page), { csrf_token: csrf, psu: psuId });
  expect(picked.status).toBe(303);
  expect(picked.headers.get('location')).toBe(CONSENTS);
  return { cookie: consentsCookie(picked), csrf };
}

describe('the consent page in a sandbox', () => {
  it('signs a customer in with the simulated picker, never the bank sign-in', async () => {
    const page = await fetch(`${app.base()}${CONSENTS}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('name="psu"');
    expect(text).not.toContain('name="password"');
    const cookie = consentsCookie(page);
    const bankSignIn = await post(`${CONSENTS}/connexion`, cookie, {
      csrf_token: csrfToken(text),
      customer_id: 'psu-1',
      password: 'x',
    });
    expect(bankSignIn.status).toBe(404);
    const unknown = await post(`${CONSENTS}/simulation`, cookie, {
      csrf_token: csrfToken(text),
      psu: 'nobody',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('name="psu"');
  });

  it("lists the customer's grants only, escaped, and withdraws one", async () => {
    const mine = await plantGrant('psu-1');
    const theirs = await plantGrant('psu-2');
    const { cookie, csrf } = await signInAs('psu-1');
    const list = await fetch(`${app.base()}${CONSENTS}`, { headers: { cookie } });
    const text = await list.text();
    expect(list.status).toBe(200);
    expect(text).toContain('Budget &lt;App&gt;');
    expect(text).toContain(`action="${CONSENTS}/retrait"`);
    expect(text).toContain(mine.grantId);
    expect(text).not.toContain(theirs.grantId);
    expect(text).toContain('Never used');

    const withdrawn = await post(`${CONSENTS}/retrait`, cookie, { csrf_token: csrf, grant_id: mine.grantId });
    expect(withdrawn.status).toBe(303);
    expect(await tokenStore.findGrant(mine.grantId)).toBeUndefined();
    expect(await tokenStore.findGrant(theirs.grantId)).toEqual(theirs);
    const after = await (await fetch(`${app.base()}${CONSENTS}`, { headers: { cookie } })).text();
    expect(after).toMatch(
      /<div role="status"><p class="notice">The access of Budget &lt;App&gt; has been withdrawn/,
    );
    expect(after).not.toContain(mine.grantId);
  });
});
