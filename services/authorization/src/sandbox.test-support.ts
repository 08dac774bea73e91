import { afterAll, beforeAll, expect } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { type HttpResult, type RunningSystem, startSystem, type TppFetch } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';
import { Redis } from 'ioredis';
import {
  authorizeQuery,
  createTestClient,
  csrfToken,
  pkcePair,
  registryOf,
  sessionCookie,
} from './test-support.js';

/*
 * The sandbox deployment (the default mode) as the sandbox tests drive it through the local edge: a
 * system per test file, its clients, valid requests, and the page a PSU's browser is shown.
 */

export const REDIRECT = 'https://tpp.example/cb?tenant=1';
export const SANDBOX = '/oauth2/fr/sandbox/signin.html';
export const { challenge } = pkcePair();

export interface SandboxClients {
  /** Account information, two redirect URIs, a name to escape and an English one. */
  readonly aisp: RegisteredClient;
  /** Payments by client credentials only: no authorization code. */
  readonly paymentsOnly: RegisteredClient;
  readonly mixed: RegisteredClient;
  readonly deleted: RegisteredClient;
}

async function createClients(registry: ClientRegistry): Promise<SandboxClients> {
  const [aisp, paymentsOnly, mixed, deleted] = await Promise.all([
    createTestClient(registry, {
      roles: ['PSP_AI'],
      scope: 'aisp extended_transaction_history',
      redirectUris: [REDIRECT, 'https://tpp.example/other'],
      clientName: '<script>alert(1)</script> Budget & Co',
      clientNameLocalized: { en: 'Budget Helper' },
    }),
    createTestClient(registry, {
      roles: ['PSP_PI'],
      scope: 'pisp',
      grantTypes: ['client_credentials'],
      responseTypes: [],
    }),
    createTestClient(registry, {
      roles: ['PSP_AI', 'PSP_PI'],
      scope: 'aisp pisp',
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    }),
    createTestClient(registry, { roles: ['PSP_AI'], scope: 'aisp' }),
  ]);
  await registry.deleteClient({
    clientId: deleted.clientId,
    actor: {
      organizationId: deleted.organizationId,
      certificateThumbprint: deleted.registeredCertificateThumbprint,
    },
  });
  return { aisp, paymentsOnly, mixed, deleted };
}

interface Started extends SandboxClients {
  readonly system: RunningSystem;
  readonly registry: ClientRegistry;
  readonly browser: TppFetch;
  readonly store: TokenStore;
  readonly redis: Redis;
}

/** What a test reads of the started system: each a getter, live once beforeAll has run. */
const LIVE = ['system', 'browser', 'store', 'redis', 'aisp', 'paymentsOnly', 'mixed', 'deleted'] as const;

export interface SandboxSuite extends Pick<Started, (typeof LIVE)[number]> {
  /** A valid authorization request of `aisp`, with overrides (undefined drops a parameter). */
  valid(overrides?: Record<string, string | undefined>): string;
  openSandboxPage(
    path?: string,
    overrides?: Record<string, string | undefined>,
  ): Promise<{ page: HttpResult; cookie: string; csrf: string }>;
}

/** The file's sandbox system, started once for its tests. */
export function sandboxSuite(label: string): SandboxSuite {
  let started: Started | undefined;
  beforeAll(async () => {
    const system = await startSystem({ label });
    const registry = registryOf(system);
    started = {
      system,
      registry,
      browser: system.client(undefined),
      store: createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix }),
      redis: new Redis(system.redisUrl),
      ...(await createClients(registry)),
    };
  }, 60_000);
  afterAll(async () => {
    started?.registry.close();
    await started?.store.close();
    started?.redis.disconnect();
    await started?.system.stop();
  });
  const live = (): Started => {
    if (started === undefined) throw new Error('the sandbox system did not start');
    return started;
  };
  const valid = (overrides: Record<string, string | undefined> = {}) =>
    authorizeQuery({
      response_type: 'code',
      client_id: live().aisp.clientId,
      redirect_uri: REDIRECT,
      scope: 'aisp',
      state: 'st-ä/&=1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    });
  const suite: Pick<SandboxSuite, 'valid' | 'openSandboxPage'> = {
    valid,
    async openSandboxPage(path = SANDBOX, overrides = {}) {
      const page = await live().browser(`${path}?${valid(overrides)}`);
      expect(page.status).toBe(200);
      const cookie = sessionCookie(page);
      if (cookie === undefined) throw new Error('no session cookie');
      return { page, cookie, csrf: csrfToken(page.text) };
    },
  };
  for (const key of LIVE) Object.defineProperty(suite, key, { get: () => live()[key], enumerable: true });
  return suite as SandboxSuite;
}

/** An error page for the PSU: no redirect, HTML in French, never a stack trace. */
export function expectErrorPage(result: { status: number; headers: Headers; text: string }, status = 400) {
  expect(result.status).toBe(status);
  expect(result.headers.get('location')).toBeNull();
  expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  expect(result.text).toContain('<html lang="fr">');
  expect(result.text).not.toMatch(/at .*\.js:\d+/);
}
