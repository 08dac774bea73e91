import { describe, expect, it } from '@jest/globals';
import { plantConsent, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import { useInProcessTokenApp } from './app.test-support.js';

/*
 * A grant's "last used" (the customer page, issue 18) as the token service records it: the code
 * exchange and an active introspection are uses, written off the response path (so polled here).
 */

const app = useInProcessTokenApp();

async function lastUseOf(grantId: string): Promise<number | undefined> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const use = (await app().store.lastUsedOf([grantId]))[grantId];
    if (use !== undefined || Date.now() > deadline) return use;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the last use of a grant', () => {
  it('is recorded when a code is exchanged, and not for a grant never used', async () => {
    const client = app().addClient('psp-ai', { scope: 'aisp', grantTypes: ['authorization_code'] });
    const { store } = app();
    const before = Math.floor(Date.now() / 1000);
    const used = await plantConsent(store, client, 'aisp');
    const unused = await plantConsent(store, client, 'aisp');
    const response = await app().post('psp-ai', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code: used.code,
      code_verifier: used.verifier,
      redirect_uri: TEST_REDIRECT_URI,
    });
    expect(response.status).toBe(200);
    expect(await lastUseOf(used.grantId)).toBeGreaterThanOrEqual(before);
    expect(await store.lastUsedOf([unused.grantId])).toEqual({});
  });

  it('is recorded when an access token of the grant is introspected active', async () => {
    const client = app().addClient('psp-ai', { scope: 'aisp', grantTypes: ['authorization_code'] });
    const { store } = app();
    const planted = await plantConsent(store, client, 'aisp');
    const token = 'introspected-token-value-of-at-least-forty-three-chars-xx';
    const at = Math.floor(Date.now() / 1000);
    await store.saveAccessToken(token, {
      clientId: client.clientId,
      organizationId: client.organizationId,
      scope: 'aisp',
      subject: 'psu-0001',
      grantId: planted.grantId,
      issuedAt: at,
      expiresAt: at + 600,
      certificateThumbprint: client.registeredCertificateThumbprint,
    });
    const introspection = await app().post('psp-as', '/oauth2/introspect', { token });
    expect(await introspection.json()).toMatchObject({ active: true });
    expect(await lastUseOf(planted.grantId)).toBeGreaterThanOrEqual(at);
  });
});
