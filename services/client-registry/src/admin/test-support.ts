import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import { connectOperatorApi, type OperatorApi } from '@psd2/admin-proto';
import type { RunningGrpcServer } from '@psd2/grpc-server';
import { createIsolatedRedisPrefix, testPki, testRedisUrl } from '@psd2/testing';
import { createRedisTokenStore, type GrantRecord, generateGrantId, type TokenStore } from '@psd2/token-store';
import type { RegistryDatabase } from '../db/database.js';
import { silentLogger } from '../test-support.js';
import { startAdminServer } from './server.js';

/*
 * The admin tests' harness (never imported by the service): the admin server in-process on a free
 * port, with the shared test PKI's operator CA, a real Redis token store under its own key prefix,
 * and clients presenting the demo operator's certificate, an untrusted one, or none.
 */

export type OperatorPki = Awaited<ReturnType<typeof testPki>>['operators'];

export interface AdminHarness {
  readonly address: string;
  readonly pki: OperatorPki;
  readonly tokenStore: TokenStore;
  /** The demo operator's client. */
  readonly api: OperatorApi;
  /** A client with another certificate (`untrusted`) or none at all. */
  connect(as: 'operator' | 'untrusted' | 'none'): OperatorApi;
  stop(): Promise<void>;
}

export async function startAdminHarness(
  database: RegistryDatabase,
  options: { readonly label: string; readonly tokenStore?: TokenStore },
): Promise<AdminHarness> {
  const pki = (await testPki()).operators;
  const tokenStore =
    options.tokenStore ??
    createRedisTokenStore({ url: testRedisUrl(), keyPrefix: createIsolatedRedisPrefix(options.label) });
  const server: RunningGrpcServer = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: pki.ca.cert },
    database,
    tokenStore,
    logger: silentLogger,
    healthIntervalMs: 200,
  });
  const address = `127.0.0.1:${server.port}`;
  const ca = readFileSync(pki.ca.cert);
  const clients: OperatorApi[] = [];
  const connect = (as: 'operator' | 'untrusted' | 'none') => {
    const files = as === 'operator' ? pki.operator : as === 'untrusted' ? pki.untrustedOperator : undefined;
    const channel =
      files === undefined
        ? credentials.createSsl(ca)
        : credentials.createSsl(ca, readFileSync(files.key), readFileSync(files.cert));
    const api = connectOperatorApi(address, { credentials: channel, deadlineMs: 5000 });
    clients.push(api);
    return api;
  };
  return {
    address,
    pki,
    tokenStore,
    api: connect('operator'),
    connect,
    async stop() {
      for (const client of clients) client.close();
      await server.shutdown(1000);
      await tokenStore.close();
    },
  };
}

/** A PSU's consent to `clientId`, as the authorization service would store it. */
export function sampleGrant(clientId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  const at = Math.floor(Date.now() / 1000);
  return {
    grantId: generateGrantId(),
    clientId,
    organizationId: 'PSDFR-ACPR-12345',
    subject: 'psu-0001',
    scope: 'aisp',
    authTime: at,
    createdAt: at,
    expiresAt: at + 180 * 24 * 3600,
    ...overrides,
  };
}
