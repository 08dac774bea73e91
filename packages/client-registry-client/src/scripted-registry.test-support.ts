import {
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import {
  type Client,
  type ClientRegistryServiceServer,
  ClientRegistryServiceService,
  ClientStatus,
  Psd2Role,
} from '@psd2/client-registry-proto';
import { type ClientRegistry, type ClientRegistryOptions, createClientRegistry } from './client.js';

/*
 * A scripted gRPC server for the client package's tests: each test says how each method answers, and
 * the calls received are recorded. No database.
 */

export type Handler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

export const handlers = new Map<string, Handler>();
export const calls: { method: string; deadline: Date | number }[] = [];

function implementation(): ClientRegistryServiceServer {
  const methods = Object.keys(ClientRegistryServiceService);
  return Object.fromEntries(
    methods.map((method) => {
      const handler: handleUnaryCall<unknown, unknown> = (call, callback) => {
        calls.push({ method, deadline: call.getDeadline() });
        const scripted = handlers.get(method);
        if (scripted === undefined)
          callback({ code: status.UNIMPLEMENTED, details: `${method} not scripted` });
        else scripted(call, callback);
      };
      return [method, handler];
    }),
  ) as unknown as ClientRegistryServiceServer;
}

export const sampleMessage = (clientId: string, version = 1): Client => ({
  clientId,
  organizationId: 'PSDFR-ACPR-12345',
  organizationName: 'Fintech',
  ncaId: 'FR-ACPR',
  roles: [Psd2Role.PSD2_ROLE_PSP_AI, Psd2Role.PSD2_ROLE_PSP_IC],
  registeredSubjectDn: 'CN=app',
  registeredCertificateThumbprint: 'x'.repeat(43),
  metadata: {
    redirectUris: ['https://app.example/cb'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    clientNameLocalized: { fr: 'Appli' },
    contacts: [],
    jwks: '{"keys":[]}',
  },
  status: ClientStatus.CLIENT_STATUS_ACTIVE,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  updatedAt: new Date('2026-01-02T00:00:00.000Z'),
  version,
  organisationSuspended: false,
  suspendedRoles: [],
});

export function failing(code: status, details = 'scripted failure'): Handler {
  return (_call, callback) => callback({ code, details });
}

export function answering(response: unknown): Handler {
  return (_call, callback) => callback(null, response);
}

/** Starts the scripted server for a test file; `open` connects a client to it, closed after the file. */
export function useScriptedRegistry() {
  const server = new Server();
  const scripted = { address: '', opened: [] as ClientRegistry[], open, handlers, calls };

  function open(options: Partial<ClientRegistryOptions> = {}): ClientRegistry {
    const registry = createClientRegistry({
      address: scripted.address,
      transport: { plaintext: true },
      deadlineMs: 1000,
      retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
      ...options,
    });
    scripted.opened.push(registry);
    return registry;
  }

  beforeAll(async () => {
    server.addService(ClientRegistryServiceService, implementation());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    scripted.address = `127.0.0.1:${port}`;
  });

  afterEach(() => {
    handlers.clear();
    calls.length = 0;
  });

  afterAll(async () => {
    for (const registry of scripted.opened) registry.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  return scripted;
}
