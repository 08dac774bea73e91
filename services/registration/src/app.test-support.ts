import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createClientCertificateResolver, formatXfccElement } from '@psd2/certificates';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { markEdgeConnection } from '@psd2/http';
import { createLogger } from '@psd2/logging';
import { createMemoryRateLimiter, type RateLimiter } from '@psd2/rate-limit';
import { testPki } from '@psd2/testing';
import { createMemoryTokenStore, type TokenStore } from '@psd2/token-store';
import { createRegistrationApp } from './app.js';

/*
 * The app in process, with a scripted registry, token store and limiter, for the failure paths a
 * running system cannot easily produce (app-failures.test.ts, app-deletion.test.ts).
 */

export const CLIENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const TOKEN = 'T'.repeat(43);

/** The XFCC header the edge writes for the test PKI's `tpp-a` QWAC. */
async function tppXfcc(): Promise<string> {
  const pem = readFileSync((await testPki()).qwacs['tpp-a'].cert, 'utf8');
  const hash = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  return formatXfccElement({ hash, cert: pem, subject: '' });
}

export const client = {
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

/** For afterEach: closes the apps `start` opened. */
export function closeApps(): void {
  for (const server of servers.splice(0)) server.close();
}

export async function start(options: {
  registry?: Partial<ClientRegistry>;
  tokenStore?: TokenStore;
  rateLimiter?: RateLimiter;
  /** false: connections do not come from the edge, so their XFCC header is not read. */
  fromEdge?: boolean;
  registryCommitHorizonMs?: number;
}): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const app = createRegistrationApp({
    logger: createLogger({ name: 'registration-test', level: 'silent' }),
    registry: scriptedRegistry(options.registry ?? {}),
    certificates: createClientCertificateResolver(),
    tokenStore: options.tokenStore ?? createMemoryTokenStore(),
    registryCommitHorizonMs: options.registryCommitHorizonMs ?? 0,
    rateLimiter:
      options.rateLimiter ?? createMemoryRateLimiter({ name: 'registration', limit: 100, windowSeconds: 60 }),
    issuer: 'https://as.example',
    maxClientsPerOrganisation: 5,
    maxBodyBytes: 32_768,
  });
  const server = app.listen(0, '127.0.0.1');
  // As the service listener marks the edge's TLS connections (here plain HTTP stands in for them).
  if (options.fromEdge ?? true) server.on('connection', markEdgeConnection);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const xfcc = await tppXfcc();
  return (path, init = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { 'x-forwarded-client-cert': xfcc, ...(init.headers as Record<string, string> | undefined) },
    });
}

export const pispBody = JSON.stringify({ scope: 'pisp', grant_types: ['client_credentials'] });
export const jsonHeaders = { 'content-type': 'application/json' };
export const bearer = { authorization: `Bearer ${TOKEN}` };
