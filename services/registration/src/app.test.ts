import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createClientCertificateResolver, formatXfccElement } from '@psd2/certificates';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type RegisteredClient,
  RegistryUnavailableError,
  VersionConflictError,
} from '@psd2/client-registry-client';
import { createLogger } from '@psd2/logging';
import { createMemoryRateLimiter, type RateLimiter } from '@psd2/rate-limit';
import { testPki } from '@psd2/testing';
import { createMemoryTokenStore, type TokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { createRegistrationApp } from './app.js';

/*
 * The app in process, with a scripted registry, token store and limiter: the failure paths a running
 * system cannot easily produce (a dependency down at the wrong moment, a lost race), and the trusted-proxy
 * rule for the XFCC header.
 */

const CLIENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const TOKEN = 'T'.repeat(43);
let xfcc: string;

beforeAll(async () => {
  const pem = readFileSync((await testPki()).qwacs['tpp-a'].cert, 'utf8');
  const hash = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  xfcc = formatXfccElement({ hash, cert: pem, subject: '' });
});

const client = {
  clientId: CLIENT_ID,
  organizationId: 'PSDFR-ACPR-12345',
  organizationName: 'Demo TPP A',
  ncaId: 'FR-ACPR',
  roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
  registeredSubjectDn: 'CN=x',
  registeredCertificateThumbprint: 'x'.repeat(43),
  metadata: { redirectUris: [], grantTypes: ['client_credentials'], responseTypes: [], scope: 'pisp' },
  status: 'active',
  createdAt: new Date(),
  updatedAt: new Date(),
  version: 1,
} satisfies RegisteredClient;

/** A registry where nothing is scripted fails loudly; tests replace what they use. */
function scriptedRegistry(overrides: Partial<ClientRegistry>): ClientRegistry {
  const unscripted = async () => {
    throw new Error('not scripted');
  };
  return {
    createClient: unscripted,
    getClient: unscripted,
    replaceClient: unscripted,
    deleteClient: unscripted,
    listClients: async () => ({ clients: [] }),
    checkRegistrationAccessToken: async (id, token) =>
      id === CLIENT_ID && token === TOKEN ? client : undefined,
    rotateRegistrationAccessToken: unscripted,
    waitForReady: async () => {},
    close: () => {},
    ...overrides,
  };
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function start(options: {
  registry?: Partial<ClientRegistry>;
  tokenStore?: TokenStore;
  rateLimiter?: RateLimiter;
  trustedProxies?: readonly string[];
  registryCommitHorizonMs?: number;
}): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const app = createRegistrationApp({
    logger: createLogger({ name: 'registration-test', level: 'silent' }),
    registry: scriptedRegistry(options.registry ?? {}),
    certificates: createClientCertificateResolver({
      trustedProxies: options.trustedProxies ?? ['127.0.0.1', '::1'],
    }),
    tokenStore: options.tokenStore ?? createMemoryTokenStore(),
    registryCommitHorizonMs: options.registryCommitHorizonMs ?? 0,
    rateLimiter:
      options.rateLimiter ?? createMemoryRateLimiter({ name: 'registration', limit: 100, windowSeconds: 60 }),
    issuer: 'https://as.example',
    maxClientsPerOrganisation: 5,
    maxBodyBytes: 32_768,
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return (path, init = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { 'x-forwarded-client-cert': xfcc, ...(init.headers as Record<string, string> | undefined) },
    });
}

const pispBody = JSON.stringify({ scope: 'pisp', grant_types: ['client_credentials'] });
const jsonHeaders = { 'content-type': 'application/json' };
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('registration app failure paths', () => {
  it('ignores the XFCC header of a peer that is not a trusted proxy', async () => {
    let created = false;
    const call = await start({
      trustedProxies: ['10.9.9.9'],
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
    const call = await start({
      rateLimiter: {
        hit: async () => {
          throw new Error(message);
        },
        ping: async () => {},
        close: async () => {},
      },
    });
    const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('fails closed with 500, not a 503 to retry, when the rate limiter fails for another reason (a bug)', async () => {
    const call = await start({
      rateLimiter: {
        hit: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'length')");
        },
        ping: async () => {},
        close: async () => {},
      },
    });
    const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'server_error' });
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

    it('gives the client its tokens back once the registry says it is still there, and answers 503', async () => {
      const steps: string[] = [];
      const { tokenStore, tokenActive } = await storeWithToken(steps);
      const call = await start({
        tokenStore,
        registry: {
          deleteClient: async () => {
            steps.push('delete');
            throw unavailable();
          },
          getClient: async () => {
            steps.push('read back');
            return client;
          },
        },
      });
      const response = await remove(call);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
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
      const { tokenStore, tokenActive } = await storeWithToken(steps);
      const call = await start({
        tokenStore,
        registry: {
          deleteClient: async () => {
            steps.push('delete');
            throw new VersionConflictError('version_conflict', 9, 'stale');
          },
        },
      });
      const response = await remove(call);
      expect(response.status).toBe(409);
      expect(steps).toEqual(['revoke', 'delete', 'restore']);
      expect(await tokenActive()).toBe(true);
    });

    it('answers 204 and keeps the tokens inactive when the delete committed after all', async () => {
      const steps: string[] = [];
      const { tokenStore, tokenActive } = await storeWithToken(steps);
      const call = await start({
        tokenStore,
        registry: {
          deleteClient: async () => {
            throw unavailable();
          },
          getClient: async () => {
            throw new ClientNotFoundError('not_found', 5, 'gone');
          },
        },
      });
      expect((await remove(call)).status).toBe(204);
      expect(steps).toEqual(['revoke']);
      expect(await tokenActive()).toBe(false);
    });

    it('keeps the tokens inactive and answers 503 when the outcome cannot be learnt', async () => {
      const steps: string[] = [];
      const { tokenStore, tokenActive } = await storeWithToken(steps);
      const call = await start({
        tokenStore,
        registry: {
          deleteClient: async () => {
            throw unavailable();
          },
          getClient: async () => {
            throw unavailable();
          },
        },
      });
      const response = await remove(call);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expect(steps).toEqual(['revoke']);
      expect(await tokenActive()).toBe(false);
    });
  });
});
