import { createHash, randomBytes } from 'node:crypto';
import { credentials, makeClientConstructor, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect } from '@jest/globals';
import {
  type Actor,
  type ClientRegistry,
  type ClientRegistryOptions,
  createClientRegistry,
  type NewClientInput,
} from '@psd2/client-registry-client';
import { createLogger, type Logger } from '@psd2/logging';
import { createIsolatedSchema, SAMPLE_EC_PUBLIC_JWK } from '@psd2/testing';
import { asc, eq } from 'drizzle-orm';
import { service as healthServiceDefinition } from 'grpc-health-check';
import { connectPostgres, openPglite, type RegistryDatabase } from './db/database.js';
import { clientAudit } from './db/schema.js';
import { type RunningRegistryServer, startRegistryServer } from './server.js';
import { REGISTRY_SERVICE_NAME } from './service.js';

/*
 * Shared by the registry's test files (never imported by the service): the two database backends the
 * same suite runs on, an in-process server reached over real gRPC, and sample data.
 */

export interface OpenDatabase {
  readonly database: RegistryDatabase;
  /** The isolated PostgreSQL schema holding the tables; undefined on PGlite. */
  readonly schema?: string;
  cleanup(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  open(label: string, options?: { url?: (isolatedUrl: string) => string }): Promise<OpenDatabase>;
}

export const postgresBackend: Backend = {
  name: 'PostgreSQL',
  async open(label, options) {
    const isolated = await createIsolatedSchema(label);
    const database = connectPostgres({
      url: options?.url?.(isolated.url) ?? isolated.url,
      migrationsSchema: isolated.schema,
      poolSize: 4,
      connectTimeoutMs: 1000,
    });
    await database.migrate();
    return {
      database,
      schema: isolated.schema,
      async cleanup() {
        await database.close();
        await isolated.drop();
      },
    };
  },
};

export const pgliteBackend: Backend = {
  name: 'PGlite',
  async open() {
    const database = await openPglite({ dataDir: 'memory://' });
    await database.migrate();
    return { database, cleanup: () => database.close() };
  },
};

export const backends = [postgresBackend, pgliteBackend] as const;

export const silentLogger: Logger = createLogger({ name: 'client-registry-test', level: 'silent' });

export interface Harness {
  readonly server: RunningRegistryServer;
  readonly address: string;
  readonly registry: ClientRegistry;
  /** The grpc.health.v1 status of the registry service, as a load balancer would ask for it. */
  health(service?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(
  database: RegistryDatabase,
  options: { healthIntervalMs?: number; client?: Partial<ClientRegistryOptions> } = {},
): Promise<Harness> {
  const server = await startRegistryServer({
    host: '127.0.0.1',
    port: 0,
    credentials: ServerCredentials.createInsecure(),
    database,
    logger: silentLogger,
    healthIntervalMs: options.healthIntervalMs ?? 200,
  });
  const address = `127.0.0.1:${server.port}`;
  const registry = createClientRegistry({
    address,
    transport: { plaintext: true },
    deadlineMs: 5000,
    ...options.client,
  });
  const HealthClient = makeClientConstructor(healthServiceDefinition, 'Health');
  const healthClient = new HealthClient(address, credentials.createInsecure());
  return {
    server,
    address,
    registry,
    health(service = REGISTRY_SERVICE_NAME) {
      return new Promise((resolve, reject) => {
        const check = Reflect.get(healthClient, 'check') as (
          request: { service: string },
          options: { deadline: Date },
          callback: (error: ServiceError | null, response: { status: string }) => void,
        ) => void;
        check.call(healthClient, { service }, { deadline: new Date(Date.now() + 2000) }, (error, response) =>
          error ? reject(error) : resolve(response.status),
        );
      });
    },
    async stop() {
      registry.close();
      healthClient.close();
      await server.shutdown(1000);
    },
  };
}

/** A certificate thumbprint as the registry expects it: base64url SHA-256. */
export function thumbprint(seed = randomBytes(8).toString('hex')): string {
  return createHash('sha256').update(seed).digest('base64url');
}

export function sampleClient(overrides: Partial<NewClientInput> = {}): NewClientInput {
  const organizationId =
    overrides.organizationId ?? `PSDFR-ACPR-${randomBytes(3).toString('hex').toUpperCase()}`;
  return {
    organizationId,
    organizationName: 'Fintech Example SAS',
    ncaId: 'FR-ACPR',
    roles: ['PSP_AI', 'PSP_PI'],
    registeredSubjectDn: `CN=app.example.com,O=Fintech Example SAS,2.5.4.97=${organizationId},C=FR`,
    registeredCertificateThumbprint: thumbprint(`cert-of-${organizationId}`),
    metadata: {
      redirectUris: ['https://app.example.com/callback', 'https://app.example.com/other'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      responseTypes: ['code'],
      scope: 'aisp pisp',
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: `CN=app.example.com,2.5.4.97=${organizationId}`,
      clientName: 'Example budgeting',
      clientNameLocalized: { fr: 'Budget exemple', 'en-GB': 'Example budgeting' },
      contacts: ['ops@example.com'],
      logoUri: 'https://app.example.com/logo.png',
      clientUri: 'https://app.example.com/',
      policyUri: 'https://app.example.com/privacy',
      tosUri: 'https://app.example.com/terms',
      jwks: {
        keys: [{ ...SAMPLE_EC_PUBLIC_JWK }],
      },
      softwareId: `software-${randomBytes(4).toString('hex')}`,
      softwareVersion: '1.0.0',
    },
    ...overrides,
  };
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  condition: () => Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What the contract cases run against: set before they run, by useContractHarness. */
export interface ContractHarness {
  database: RegistryDatabase;
  harness: Harness;
}

/** The database and a harness on it for the contract suite, opened before its tests and closed after. */
export function useContractHarness(backend: Backend, label: string): ContractHarness {
  const contract = {} as ContractHarness;
  let opened: OpenDatabase | undefined;
  beforeAll(async () => {
    opened = await backend.open(label);
    contract.database = opened.database;
    contract.harness = await startHarness(opened.database);
  });
  afterAll(async () => {
    await contract.harness?.stop();
    await opened?.cleanup();
  });
  return contract;
}

/** After a rotation the new registration access token works and the old one stopped at once. */
export async function expectTokenReplaced(harness: Harness, clientId: string, old: string, current: string) {
  await expect(harness.registry.checkRegistrationAccessToken(clientId, old)).resolves.toBeUndefined();
  await expect(harness.registry.checkRegistrationAccessToken(clientId, current)).resolves.toBeDefined();
}

export const actorOf = (input: NewClientInput): Actor => ({
  organizationId: input.organizationId,
  certificateThumbprint: input.registeredCertificateThumbprint,
});

export const auditOf = (database: RegistryDatabase, clientId: string) =>
  database.db
    .select()
    .from(clientAudit)
    .where(eq(clientAudit.clientId, clientId))
    .orderBy(asc(clientAudit.id));

/** A sample client created through the registry, with the input it was made from (its owner acts through it). */
export async function registerSampleClient(contract: ContractHarness) {
  const input = sampleClient();
  return { input, ...(await contract.harness.registry.createClient(input)) };
}

/** An actor from an organisation that owns none of the sample clients. */
export const otherOrganisation = (): Actor => ({
  organizationId: 'PSDFR-ACPR-OTHER',
  certificateThumbprint: thumbprint(),
});
