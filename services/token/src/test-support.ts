import { afterAll, beforeAll, expect } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import {
  formPost,
  identityOf,
  type PlantedConsent,
  plantConsent,
  registerTestClient,
  TEST_REDIRECT_URI,
} from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, type SystemOptions, startSystem } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';

/*
 * What the token service's system tests share: the whole system through the local mTLS edge against
 * the real registry (gRPC, PostgreSQL) and Redis, and requests as a TPP or the bank's API would make
 * them. Consents are planted in the token store exactly as the authorization service writes them.
 */

export interface TokenTestbed {
  readonly system: RunningSystem;
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  identity(qwac: DemoQwacName): ReturnType<typeof identityOf>;
  registerClient(
    qwac: DemoQwacName,
    metadata: { scope: string; grantTypes: string[] },
  ): Promise<RegisteredClient>;
  /** A client of `scope` with authorization_code and refresh_token, the grants most tests here use. */
  registerCodeClient(qwac: DemoQwacName, scope: string): Promise<RegisteredClient>;
  consent(client: RegisteredClient, scope: string): Promise<PlantedConsent>;
  token(qwac: DemoQwacName | undefined, fields: Record<string, string>): Promise<HttpResult>;
  introspect(qwac: DemoQwacName | undefined, value: string): Promise<HttpResult>;
  /** Whether the bank's API (psp-as) sees the access token as active. */
  active(accessToken: string): Promise<boolean>;
  /** The code exchange of `client` presenting `qwac`, with `overrides` of the form fields. */
  exchange(
    client: RegisteredClient,
    qwac: DemoQwacName,
    planted: PlantedConsent,
    overrides?: Record<string, string>,
  ): Promise<HttpResult>;
  refresh(client: RegisteredClient, qwac: DemoQwacName, refreshToken: string): Promise<HttpResult>;
}

/** Starts the system before the file's tests and stops it after; the testbed is usable inside tests. */
export function useTokenTestbed(options: SystemOptions): () => TokenTestbed {
  let testbed: TokenTestbed | undefined;
  let close = async () => {};
  beforeAll(async () => {
    const system = await startSystem(options);
    const registry = createClientRegistry({
      address: system.registryAddress,
      transport: { plaintext: true },
    });
    const store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
    close = async () => {
      registry.close();
      await store.close();
      await system.stop();
    };
    const token = (qwac: DemoQwacName | undefined, fields: Record<string, string>) =>
      system.client(qwac)('/oauth2/token', formPost(fields));
    const introspect = (qwac: DemoQwacName | undefined, value: string) =>
      system.internalClient(qwac)('/oauth2/introspect', formPost({ token: value }));
    testbed = {
      system,
      registry,
      store,
      identity: (qwac) => identityOf(system.pki, qwac),
      registerClient: (qwac, metadata) => registerTestClient(registry, system.pki, qwac, metadata),
      registerCodeClient: (qwac, scope) =>
        registerTestClient(registry, system.pki, qwac, {
          scope,
          grantTypes: ['authorization_code', 'refresh_token'],
        }),
      consent: (client, scope) => plantConsent(store, client, scope),
      token,
      introspect,
      active: async (accessToken) =>
        (await introspect('psp-as', accessToken)).json<{ active: boolean }>().active,
      exchange: (client, qwac, planted, overrides = {}) =>
        token(qwac, {
          grant_type: 'authorization_code',
          client_id: client.clientId,
          code: planted.code,
          redirect_uri: TEST_REDIRECT_URI,
          code_verifier: planted.verifier,
          ...overrides,
        }),
      refresh: (client, qwac, refreshToken) =>
        token(qwac, { grant_type: 'refresh_token', client_id: client.clientId, refresh_token: refreshToken }),
    };
  }, 60_000);
  afterAll(async () => {
    await close();
  });
  return () => {
    if (testbed === undefined) throw new Error('the token testbed is used before it started');
    return testbed;
  };
}

/** An OAuth error response (RFC 6749 §5.2), never cached. */
export function expectError(response: HttpResult, status: number, error: string): void {
  expect({ status: response.status, error: response.json().error }).toEqual({ status, error });
  expect(response.headers.get('cache-control')).toBe('no-store');
}

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly scope: string;
}

export function issuedFrom(response: HttpResult): IssuedTokens {
  expect(response.status).toBe(200);
  return response.json<IssuedTokens>();
}
