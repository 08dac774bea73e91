import { describe, expect, it } from '@jest/globals';
import { plantConsent, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import { useInProcessTokenApp } from './app.test-support.js';

/*
 * Issue 18: the token endpoint refuses a client whose organisation a bank operator suspended (401
 * invalid_client, like any client that fails authentication) and a token for a suspended role's scope
 * (400 unauthorized_client), whatever the grant type. The registry's answer says so (client.suspension);
 * the token store's marker, tested in @psd2/token-store, makes the earlier tokens inactive.
 */

const app = useInProcessTokenApp();

const ORGANISATION_SUSPENDED = { organisationSuspended: true, suspendedRoles: [] };

describe('token endpoint and a suspended TPP', () => {
  it('refuses client_credentials for a suspended organisation with 401 invalid_client', async () => {
    const client = app().addClient('psp-pi', {
      scope: 'pisp',
      grantTypes: ['client_credentials'],
      suspension: ORGANISATION_SUSPENDED,
    });
    const response = await app().post('psp-pi', '/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      scope: 'pisp',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses the code exchange of a suspended organisation, and answers the other clients', async () => {
    const suspended = app().addClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
      suspension: ORGANISATION_SUSPENDED,
    });
    const planted = await plantConsent(app().store, suspended, 'aisp');
    const response = await app().post('psp-ai', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: suspended.clientId,
      code: planted.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: planted.verifier,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });

    const active = app().addClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const fine = await plantConsent(app().store, active, 'aisp');
    const issued = await app().post('psp-ai', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: active.clientId,
      code: fine.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: fine.verifier,
    });
    expect(issued.status).toBe(200);
  });

  it('refuses a suspended role with 400 unauthorized_client, on every grant type', async () => {
    const pisp = app().addClient('psp-pi', {
      scope: 'pisp',
      grantTypes: ['client_credentials'],
      suspension: { organisationSuspended: false, suspendedRoles: ['PSP_PI'] },
    });
    const clientCredentials = await app().post('psp-pi', '/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: pisp.clientId,
      scope: 'pisp',
    });
    expect(clientCredentials.status).toBe(400);
    expect(await clientCredentials.json()).toMatchObject({ error: 'unauthorized_client' });

    // A refresh of a consent obtained before PSP_AI was suspended.
    const aisp = app().addClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const planted = await plantConsent(app().store, aisp, 'aisp');
    const exchanged = await app().post('psp-ai', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: aisp.clientId,
      code: planted.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: planted.verifier,
    });
    const { refresh_token: refreshToken } = (await exchanged.json()) as { refresh_token: string };
    Object.assign(aisp, { suspension: { organisationSuspended: false, suspendedRoles: ['PSP_AI'] } });
    const refreshed = await app().post('psp-ai', '/oauth2/token', {
      grant_type: 'refresh_token',
      client_id: aisp.clientId,
      refresh_token: refreshToken,
    });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'unauthorized_client' });
  });
});
