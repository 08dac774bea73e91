import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';
import { createClientCertificateResolver, formatXfccElement } from '@psd2/certificates';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type ClientSuspension,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { markEdgeConnection } from '@psd2/http';
import { createLogger } from '@psd2/logging';
import { identityOf, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import type { DemoPki, DemoQwacName } from '@psd2/test-pki';
import { testPki } from '@psd2/testing';
import { createMemoryTokenStore, type MemoryTokenStore } from '@psd2/token-store';
import { createTokenApp } from './app.js';

/*
 * The token app in process, served on a free loopback port, with the embedded token store and a
 * registry of the clients a test file adds: for what the running system cannot do yet or does not
 * need (payment consents, whose Redis store is not there yet; the docs page in a browser). Requests
 * carry the XFCC header the edge would write for a demo QWAC, on connections marked as the edge's.
 */

export const PAYMENT_TTL_SECONDS = 300;
/** gRPC status 5, as the registry answers an unknown client. */
const GRPC_NOT_FOUND = 5;

export interface InProcessTokenApp {
  readonly base: string;
  readonly store: MemoryTokenStore;
  readonly pki: DemoPki;
  /** Adds a client of `qwac`'s organisation and subject, as registration would store it. */
  addClient(
    qwac: DemoQwacName,
    metadata: { scope: string; grantTypes: string[]; suspension?: ClientSuspension },
  ): RegisteredClient;
  /** A form POST to `path` presenting `qwac` (none: no certificate). */
  post(qwac: DemoQwacName | undefined, path: string, fields: Record<string, string>): Promise<Response>;
}

async function xfccOf(pki: DemoPki, qwac: DemoQwacName): Promise<string> {
  const pem = readFileSync(pki.qwacs[qwac].cert, 'utf8');
  const hash = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  return formatXfccElement({ hash, cert: pem, subject: '' });
}

function registryOf(clients: Map<string, RegisteredClient>): ClientRegistry {
  const unused = async () => {
    throw new Error('not used by the token service');
  };
  return {
    createClient: unused,
    getClient: async (clientId) => {
      const client = clients.get(clientId);
      if (client === undefined) throw new ClientNotFoundError('not_found', GRPC_NOT_FOUND, clientId);
      return client;
    },
    replaceClient: unused,
    deleteClient: unused,
    listClients: async () => ({ clients: [...clients.values()] }),
    checkRegistrationAccessToken: async () => undefined,
    rotateRegistrationAccessToken: unused,
    waitForReady: async () => {},
    close: () => {},
  };
}

/** Serves the app for the file's tests; the returned function gives it once started. */
export function useInProcessTokenApp(): () => InProcessTokenApp {
  let started: InProcessTokenApp | undefined;
  let close = async () => {};
  beforeAll(async () => {
    const pki = await testPki();
    const store = createMemoryTokenStore();
    const clients = new Map<string, RegisteredClient>();
    const app = createTokenApp({
      logger: createLogger({ name: 'token-test', level: 'silent' }),
      registry: registryOf(clients),
      store,
      certificates: createClientCertificateResolver(),
      tokens: {
        accessTokenTtlSeconds: 3600,
        paymentAccessTokenTtlSeconds: PAYMENT_TTL_SECONDS,
        refreshTokenRotation: false,
        refreshTokenReuseGraceSeconds: 60,
      },
      metadata: { issuer: 'https://as.example', deploymentMode: 'bank', pushedAuthorizationRequired: true },
      introspectionAllowedOrganizations: [identityOf(pki, 'psp-as').organizationIdentifier],
    });
    const server = app.listen(0, '127.0.0.1');
    // As the service listener marks the edge's TLS connections (here plain HTTP stands in for them).
    server.on('connection', markEdgeConnection);
    await new Promise((resolve) => server.once('listening', resolve));
    close = async () => {
      server.close();
      await store.close();
    };
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let next = 0;
    started = {
      base,
      store,
      pki,
      addClient: (qwac, metadata) => {
        const identity = identityOf(pki, qwac);
        next += 1;
        const client: RegisteredClient = {
          clientId: `client-${next}-${qwac}`,
          organizationId: identity.organizationIdentifier,
          organizationName: identity.organizationName ?? 'Test TPP',
          ncaId: identity.ncaId,
          roles: identity.roles,
          registeredSubjectDn: identity.subjectDn,
          registeredCertificateThumbprint: identity.x5tS256,
          metadata: {
            redirectUris: [TEST_REDIRECT_URI],
            grantTypes: metadata.grantTypes,
            responseTypes: metadata.grantTypes.includes('authorization_code') ? ['code'] : [],
            scope: metadata.scope,
            tokenEndpointAuthMethod: 'tls_client_auth',
          },
          status: 'active',
          createdAt: new Date(),
          updatedAt: new Date(),
          version: 1,
          ...(metadata.suspension === undefined ? {} : { suspension: metadata.suspension }),
        };
        clients.set(client.clientId, client);
        return client;
      },
      post: async (qwac, path, fields) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(qwac === undefined ? {} : { 'x-forwarded-client-cert': await xfccOf(pki, qwac) }),
          },
          body: new URLSearchParams(fields).toString(),
        }),
    };
  });
  afterAll(async () => {
    await close();
  });
  return () => {
    if (started === undefined) throw new Error('the in-process token app is used before it started');
    return started;
  };
}
