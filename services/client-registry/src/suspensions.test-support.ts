import { afterAll, beforeAll } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import {
  type AccessTokenRecord,
  createRedisTokenStore,
  generateOpaqueToken,
  type TokenStore,
} from '@psd2/token-store';
import type { RegistryDatabase } from './db/database.js';
import { createSuspensions, type Suspensions } from './suspensions.js';
import {
  type Backend,
  type Harness,
  type OpenDatabase,
  sampleClient,
  silentLogger,
  startHarness,
  thumbprint,
} from './test-support.js';

/*
 * Shared by the suspension test files: a real registry server (gRPC) on a real database, a real Redis
 * token store under its own key prefix, and the domain on both.
 */

export const OPERATOR = {
  subject: 'CN=Alice Martin,OU=PSD2 operations,O=Bank',
  certificateThumbprint: thumbprint('alice'),
};

export function accessRecordOf(client: RegisteredClient, scope: string): AccessTokenRecord {
  const at = Math.floor(Date.now() / 1000);
  return {
    clientId: client.clientId,
    organizationId: client.organizationId,
    scope,
    issuedAt: at,
    expiresAt: at + 3600,
    certificateThumbprint: thumbprint('tpp-certificate'),
  };
}

export interface SuspensionBed {
  database: RegistryDatabase;
  harness: Harness;
  tokenStore: TokenStore;
  suspensions: Suspensions;
  /** A token the token service would have issued to `client` now. */
  issued(client: RegisteredClient, scope?: string): Promise<{ active(): Promise<boolean> }>;
  /** A new organisation with one client per scope given, registered through the registry. */
  organisationWith(...scopes: string[]): Promise<{ organizationId: string; clients: RegisteredClient[] }>;
}

export function useSuspensionBed(backend: Backend, label: string): SuspensionBed {
  let opened: OpenDatabase | undefined;
  const bed = {
    async issued(client: RegisteredClient, scope = 'aisp') {
      const token = generateOpaqueToken();
      await bed.tokenStore.saveAccessToken(token, accessRecordOf(client, scope));
      return { active: async () => (await bed.tokenStore.findAccessToken(token)) !== undefined };
    },
    async organisationWith(...scopes: string[]) {
      const organizationId = `PSDFR-ACPR-S${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
      const clients: RegisteredClient[] = [];
      for (const scope of scopes) {
        const { client } = await bed.harness.registry.createClient(sampleClient({ organizationId }));
        const replaced = await bed.harness.registry.replaceClient({
          clientId: client.clientId,
          expectedVersion: client.version,
          metadata: { ...client.metadata, scope },
          actor: { organizationId, certificateThumbprint: client.registeredCertificateThumbprint },
        });
        clients.push(replaced.client);
      }
      return { organizationId, clients };
    },
  } as SuspensionBed;

  beforeAll(async () => {
    opened = await backend.open(label);
    bed.database = opened.database;
    bed.harness = await startHarness(opened.database);
    bed.tokenStore = createRedisTokenStore({
      url: testRedisUrl(),
      keyPrefix: createIsolatedRedisPrefix(label),
    });
    bed.suspensions = createSuspensions({
      database: opened.database,
      tokenStore: bed.tokenStore,
      logger: silentLogger,
    });
  }, 180_000);

  afterAll(async () => {
    await bed.tokenStore?.close();
    await bed.harness?.stop();
    await opened?.cleanup();
  });
  return bed;
}
