import {
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Client,
  type ClientRegistryServiceServer,
  ClientRegistryServiceService,
  ClientStatus,
  Psd2Role,
} from '@psd2/client-registry-proto';
import { MAX_CACHE_TTL_MS } from './cache.js';
import { type ClientRegistry, type ClientRegistryOptions, createClientRegistry } from './client.js';
import {
  ClientAlreadyExistsError,
  ClientNotFoundError,
  ClientPermissionDeniedError,
  InvalidClientRequestError,
  RegistryDeadlineExceededError,
  RegistryFailureError,
  RegistryUnavailableError,
  VersionConflictError,
} from './errors.js';

/*
 * The client package against a scripted gRPC server: retries, deadlines, error mapping and the read
 * cache, without a database. The registry's own suite covers the real service end to end.
 */

type Handler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

const handlers = new Map<string, Handler>();
const calls: { method: string; deadline: Date | number }[] = [];

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

const sampleMessage = (clientId: string, version = 1): Client => ({
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
});

function failing(code: status, details = 'scripted failure'): Handler {
  return (_call, callback) => callback({ code, details });
}

function answering(response: unknown): Handler {
  return (_call, callback) => callback(null, response);
}

describe('createClientRegistry', () => {
  const server = new Server();
  let address: string;
  const opened: ClientRegistry[] = [];

  function open(options: Partial<ClientRegistryOptions> = {}): ClientRegistry {
    const registry = createClientRegistry({
      address,
      transport: { plaintext: true },
      deadlineMs: 1000,
      retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
      ...options,
    });
    opened.push(registry);
    return registry;
  }

  beforeAll(async () => {
    server.addService(ClientRegistryServiceService, implementation());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  afterEach(() => {
    handlers.clear();
    calls.length = 0;
  });

  afterAll(async () => {
    for (const registry of opened) registry.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('turns the wire message into the domain type', async () => {
    handlers.set('getClient', answering({ client: sampleMessage('abc') }));
    const client = await open().getClient('abc');
    expect(client).toMatchObject({
      clientId: 'abc',
      roles: ['PSP_AI', 'PSP_IC'],
      status: 'active',
      version: 1,
      metadata: { clientNameLocalized: { fr: 'Appli' }, jwks: { keys: [] } },
    });
    expect(client.metadata.scope).toBeUndefined();
    expect(Object.isFrozen(client)).toBe(true);
  });

  it('puts a deadline on every call', async () => {
    handlers.set('getClient', answering({ client: sampleMessage('abc') }));
    handlers.set('listClients', answering({ clients: [], nextPageToken: '' }));
    const registry = open({ deadlineMs: 1500 });
    const before = Date.now();
    await registry.getClient('abc');
    await registry.listClients({ organizationId: 'PSDFR-ACPR-12345' });
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      const at = call.deadline instanceof Date ? call.deadline.getTime() : call.deadline;
      expect(Number.isFinite(at)).toBe(true);
      expect(at).toBeGreaterThan(before);
      expect(at).toBeLessThanOrEqual(Date.now() + 1500);
    }
  });

  it('retries a read that failed with UNAVAILABLE, with backoff, until it succeeds', async () => {
    let attempts = 0;
    handlers.set('getClient', (call, callback) => {
      attempts++;
      if (attempts < 3) failing(status.UNAVAILABLE)(call, callback);
      else answering({ client: sampleMessage('abc') })(call, callback);
    });
    await expect(open().getClient('abc')).resolves.toMatchObject({ clientId: 'abc' });
    expect(attempts).toBe(3);
  });

  it('gives up after the last attempt with RegistryUnavailableError', async () => {
    handlers.set('checkRegistrationAccessToken', failing(status.UNAVAILABLE));
    await expect(
      open({ retry: { maxAttempts: 4, initialBackoffMs: 1 } }).checkRegistrationAccessToken('abc', 'token'),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    expect(calls).toHaveLength(4);
  });

  it('never retries a write, nor any other status', async () => {
    handlers.set('createClient', failing(status.UNAVAILABLE));
    handlers.set('getClient', failing(status.INTERNAL));
    const registry = open();
    await expect(
      registry.createClient({
        organizationId: 'PSDFR-ACPR-12345',
        organizationName: 'Fintech',
        ncaId: 'FR-ACPR',
        roles: ['PSP_AI'],
        registeredSubjectDn: 'CN=app',
        registeredCertificateThumbprint: 'x'.repeat(43),
        metadata: { redirectUris: [], grantTypes: [], responseTypes: [] },
      }),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(registry.getClient('abc')).rejects.toBeInstanceOf(RegistryFailureError);
    expect(calls.map((call) => call.method)).toEqual(['createClient', 'getClient']);
  });

  it.each([
    [status.NOT_FOUND, ClientNotFoundError, 'not_found'],
    [status.ALREADY_EXISTS, ClientAlreadyExistsError, 'already_exists'],
    [status.INVALID_ARGUMENT, InvalidClientRequestError, 'invalid_argument'],
    [status.FAILED_PRECONDITION, VersionConflictError, 'version_conflict'],
    [status.PERMISSION_DENIED, ClientPermissionDeniedError, 'permission_denied'],
    [status.DEADLINE_EXCEEDED, RegistryDeadlineExceededError, 'deadline_exceeded'],
    [status.INTERNAL, RegistryFailureError, 'failure'],
  ])('maps status %i to %p', async (code, errorClass, kind) => {
    handlers.set('listClients', failing(code, 'details from the registry'));
    const error = await open()
      .listClients({ organizationId: 'PSDFR-ACPR-12345' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ kind, grpcCode: code, message: 'details from the registry' });
  });

  it('a client id the registry refuses as malformed is an unknown client: getClient not found, check undefined', async () => {
    handlers.set('getClient', failing(status.INVALID_ARGUMENT, 'client_id is missing or malformed'));
    handlers.set(
      'checkRegistrationAccessToken',
      failing(status.INVALID_ARGUMENT, 'client_id is missing or malformed'),
    );
    const registry = open();
    await expect(registry.getClient('bQ==')).rejects.toBeInstanceOf(ClientNotFoundError);
    await expect(registry.checkRegistrationAccessToken('a/b', 'token')).resolves.toBeUndefined();
  });

  it('fails with RegistryDeadlineExceededError when the registry does not answer in time', async () => {
    handlers.set('getClient', () => undefined); // never answers
    const startedAt = Date.now();
    await expect(open({ deadlineMs: 200 }).getClient('abc')).rejects.toBeInstanceOf(
      RegistryDeadlineExceededError,
    );
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('fails with RegistryUnavailableError when nothing listens at the address', async () => {
    const registry = createClientRegistry({
      address: '127.0.0.1:1',
      transport: { plaintext: true },
      deadlineMs: 500,
      retry: { initialBackoffMs: 5 },
    });
    opened.push(registry);
    await expect(registry.getClient('abc')).rejects.toBeInstanceOf(RegistryUnavailableError);
  });

  describe('read cache', () => {
    it('serves a read from the cache within its TTL, and asks again after it', async () => {
      handlers.set('getClient', answering({ client: sampleMessage('abc') }));
      let now = 1_000_000;
      const registry = open({ cacheTtlMs: 150, now: () => now });
      await registry.getClient('abc');
      now += 149;
      await registry.getClient('abc');
      expect(calls).toHaveLength(1);
      await registry.getClient('abc', { fresh: true });
      expect(calls).toHaveLength(2);
      now += 151;
      await registry.getClient('abc');
      expect(calls).toHaveLength(3);
    });

    it('shares one call between concurrent misses', async () => {
      handlers.set('getClient', (call, callback) => {
        setTimeout(() => answering({ client: sampleMessage('abc') })(call, callback), 50);
      });
      const registry = open({ cacheTtlMs: 1000 });
      const results = await Promise.all([
        registry.getClient('abc'),
        registry.getClient('abc'),
        registry.getClient('abc'),
      ]);
      expect(calls).toHaveLength(1);
      expect(results[0]).toBe(results[2]);
    });

    it('forgets a client this process replaces, deletes or rotates', async () => {
      const actor = { organizationId: 'PSDFR-ACPR-12345', certificateThumbprint: 'x'.repeat(43) };
      handlers.set('getClient', answering({ client: sampleMessage('abc') }));
      handlers.set('replaceClient', answering({ client: sampleMessage('abc', 2) }));
      handlers.set('deleteClient', answering({}));
      handlers.set(
        'rotateRegistrationAccessToken',
        answering({ client: sampleMessage('abc', 3), registrationAccessToken: 't' }),
      );
      const registry = open({ cacheTtlMs: 5000 });
      const gets = () => calls.filter((call) => call.method === 'getClient').length;

      await registry.getClient('abc');
      await registry.replaceClient({
        clientId: 'abc',
        expectedVersion: 1,
        metadata: { redirectUris: [], grantTypes: [], responseTypes: [] },
        actor,
      });
      await registry.getClient('abc');
      expect(gets()).toBe(2);
      await registry.rotateRegistrationAccessToken({ clientId: 'abc', actor });
      await registry.getClient('abc');
      expect(gets()).toBe(3);
      await registry.deleteClient({ clientId: 'abc', actor });
      await registry.getClient('abc');
      expect(gets()).toBe(4);
    });

    it('sends a renewed certificate with a replace, and nothing when there is none', async () => {
      const actor = { organizationId: 'PSDFR-ACPR-12345', certificateThumbprint: 'y'.repeat(43) };
      const received: unknown[] = [];
      handlers.set('replaceClient', (call, callback) => {
        received.push(call.request);
        callback(null, { client: sampleMessage('abc', 2) });
      });
      const registry = open();
      const metadata = { redirectUris: [], grantTypes: [], responseTypes: [] };
      await registry.replaceClient({
        clientId: 'abc',
        expectedVersion: 1,
        metadata,
        actor,
        registeredCertificate: { subjectDn: 'CN=Renewed', thumbprint: 'y'.repeat(43) },
      });
      await registry.replaceClient({ clientId: 'abc', expectedVersion: 2, metadata, actor });
      expect(received[0]).toMatchObject({
        registeredSubjectDn: 'CN=Renewed',
        registeredCertificateThumbprint: 'y'.repeat(43),
      });
      expect(received[1]).toMatchObject({
        registeredSubjectDn: undefined,
        registeredCertificateThumbprint: undefined,
      });
    });

    it('does not cache a failure', async () => {
      handlers.set('getClient', failing(status.NOT_FOUND));
      const registry = open({ cacheTtlMs: 1000 });
      await expect(registry.getClient('gone')).rejects.toBeInstanceOf(ClientNotFoundError);
      await expect(registry.getClient('gone')).rejects.toBeInstanceOf(ClientNotFoundError);
      expect(calls).toHaveLength(2);
    });

    it(`refuses a TTL above ${MAX_CACHE_TTL_MS} ms`, () => {
      expect(() => open({ cacheTtlMs: MAX_CACHE_TTL_MS + 1 })).toThrow(RangeError);
    });
  });

  it('waits for the registry to be reachable, or says it is not', async () => {
    await expect(open().waitForReady(1000)).resolves.toBeUndefined();
    const nowhere = createClientRegistry({ address: '127.0.0.1:1', transport: { plaintext: true } });
    opened.push(nowhere);
    await expect(nowhere.waitForReady(200)).rejects.toBeInstanceOf(RegistryUnavailableError);
  });

  it('refuses a client certificate without its key', () => {
    expect(() => createClientRegistry({ address, transport: { tls: { cert: 'pem' } } })).toThrow(
      'a client certificate needs its key',
    );
  });
});
