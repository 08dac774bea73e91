import { afterEach, describe, expect, it } from '@jest/globals';
import { RegistryUnavailableError, VersionConflictError } from '@psd2/client-registry-client';
import { createMemoryTokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { bearer, CLIENT_ID, closeApps, jsonHeaders, pispBody, start } from './app.test-support.js';

/*
 * The failure paths a running system cannot easily produce (a dependency down at the wrong moment, a
 * lost race), and the edge-connection rule for the XFCC header.
 */

afterEach(closeApps);

/** A registration through an app whose rate limiter fails with `error`. */
async function registerWhenLimiterThrows(error: Error) {
  const call = await start({
    rateLimiter: {
      hit: async () => {
        throw error;
      },
      ping: async () => {},
      close: async () => {},
    },
  });
  const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
  return { status: response.status, body: await response.json() };
}

describe('registration app failure paths', () => {
  it("ignores the XFCC header on a connection that is not the edge's", async () => {
    let created = false;
    const call = await start({
      fromEdge: false,
      registry: {
        createClient: async () => {
          created = true;
          throw new Error('must not be reached');
        },
      },
    });
    const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    expect(created).toBe(false);
  });

  it.each([
    ['Redis connection closed', 'Connection is closed.'],
    ['a command timed out', 'Command timed out'],
  ])('fails closed with 503 when the rate limiter cannot count (%s)', async (_name, message) => {
    const { status, body } = await registerWhenLimiterThrows(new Error(message));
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('fails closed with 500, not a 503 to retry, when the rate limiter fails for another reason (a bug)', async () => {
    const { status, body } = await registerWhenLimiterThrows(
      new TypeError("Cannot read properties of undefined (reading 'length')"),
    );
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: 'server_error' });
  });

  it('answers 503 when the registry cannot take a registration', async () => {
    const call = await start({
      registry: {
        createClient: async () => {
          throw new RegistryUnavailableError('unavailable', 14, 'down');
        },
      },
    });
    const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('answers 409 when the client changed between the token check and the replace', async () => {
    const call = await start({
      registry: {
        replaceClient: async () => {
          throw new VersionConflictError('version_conflict', 9, 'stale');
        },
      },
    });
    const response = await call(`/oauth2/register/${CLIENT_ID}`, {
      method: 'PUT',
      headers: { ...jsonHeaders, ...bearer },
      body: JSON.stringify({ client_id: CLIENT_ID, scope: 'pisp', grant_types: ['client_credentials'] }),
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('revokes the tokens before deleting, and deletes nothing when the token store is down', async () => {
    const steps: string[] = [];
    const store = createMemoryTokenStore();
    const call = await start({
      tokenStore: {
        ...store,
        revokeClient: async () => {
          steps.push('revoke');
          throw new TokenStoreUnavailableError(new Error('down'));
        },
      },
      registry: {
        deleteClient: async () => {
          steps.push('delete');
        },
      },
    });
    const response = await call(`/oauth2/register/${CLIENT_ID}`, { method: 'DELETE', headers: bearer });
    expect(response.status).toBe(503);
    expect(steps).toEqual(['revoke']);
  });
});
