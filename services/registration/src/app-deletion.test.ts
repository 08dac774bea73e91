import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ClientNotFoundError,
  type ClientRegistry,
  RegistryUnavailableError,
  VersionConflictError,
} from '@psd2/client-registry-client';
import { createMemoryTokenStore, type TokenStore } from '@psd2/token-store';
import { bearer, CLIENT_ID, client, closeApps, start } from './app.test-support.js';

/* RFC 7592 §2.3 deletion when the registry's step fails: the client's tokens never outlive it. */

afterEach(closeApps);

describe('a DELETE whose registry step fails', () => {
  const unavailable = () => new RegistryUnavailableError('unavailable', 14, 'down');

  /** A memory store holding one live access token of the client, and the steps taken, in order. */
  async function storeWithToken(steps: string[]) {
    const store = createMemoryTokenStore();
    const now = Math.floor(Date.now() / 1000);
    await store.saveAccessToken('live-token', {
      clientId: CLIENT_ID,
      organizationId: client.organizationId,
      scope: 'pisp',
      issuedAt: now,
      expiresAt: now + 3600,
      certificateThumbprint: 'x'.repeat(43),
    });
    const tokenStore: TokenStore = {
      ...store,
      revokeClient: async (id) => {
        steps.push('revoke');
        await store.revokeClient(id);
      },
      restoreClient: async (id) => {
        steps.push('restore');
        await store.restoreClient(id);
      },
    };
    return {
      tokenStore,
      tokenActive: async () => (await store.findAccessToken('live-token')) !== undefined,
    };
  }

  const remove = (call: Awaited<ReturnType<typeof start>>) =>
    call(`/oauth2/register/${CLIENT_ID}`, { method: 'DELETE', headers: bearer });

  /** The client's DELETE against a registry scripted as given, with one live token of the client. */
  async function deleteWith(steps: string[], registry: Partial<ClientRegistry>) {
    const { tokenStore, tokenActive } = await storeWithToken(steps);
    const response = await remove(await start({ tokenStore, registry }));
    return { status: response.status, body: await response.json().catch(() => undefined), tokenActive };
  }

  it('gives the client its tokens back once the registry says it is still there, and answers 503', async () => {
    const steps: string[] = [];
    const { status, body, tokenActive } = await deleteWith(steps, {
      deleteClient: async () => {
        steps.push('delete');
        throw unavailable();
      },
      getClient: async () => {
        steps.push('read back');
        return client;
      },
    });
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(steps).toEqual(['revoke', 'delete', 'read back', 'restore']);
    expect(await tokenActive()).toBe(true);
  });

  it('reads back only once the delete can no longer commit', async () => {
    let deleteSentAt = 0;
    let readAt = 0;
    const call = await start({
      registryCommitHorizonMs: 300,
      registry: {
        deleteClient: async () => {
          deleteSentAt = Date.now();
          throw unavailable();
        },
        getClient: async () => {
          readAt = Date.now();
          return client;
        },
      },
    });
    expect((await remove(call)).status).toBe(503);
    expect(readAt - deleteSentAt).toBeGreaterThanOrEqual(300);
  });

  it('takes the marker back at once when the registry refused the delete (409)', async () => {
    const steps: string[] = [];
    const { status, tokenActive } = await deleteWith(steps, {
      deleteClient: async () => {
        steps.push('delete');
        throw new VersionConflictError('version_conflict', 9, 'stale');
      },
    });
    expect(status).toBe(409);
    expect(steps).toEqual(['revoke', 'delete', 'restore']);
    expect(await tokenActive()).toBe(true);
  });

  it('answers 204 and keeps the tokens inactive when the delete committed after all', async () => {
    const steps: string[] = [];
    const { status, tokenActive } = await deleteWith(steps, {
      deleteClient: async () => {
        throw unavailable();
      },
      getClient: async () => {
        throw new ClientNotFoundError('not_found', 5, 'gone');
      },
    });
    expect(status).toBe(204);
    expect(steps).toEqual(['revoke']);
    expect(await tokenActive()).toBe(false);
  });

  it('keeps the tokens inactive and answers 503 when the outcome cannot be learnt', async () => {
    const steps: string[] = [];
    const { status, body, tokenActive } = await deleteWith(steps, {
      deleteClient: async () => {
        throw unavailable();
      },
      getClient: async () => {
        throw unavailable();
      },
    });
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(steps).toEqual(['revoke']);
    expect(await tokenActive()).toBe(false);
  });
});
