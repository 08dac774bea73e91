import { status } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import { createClientRegistry } from './client.js';
import * as errors from './errors.js';
import { answering, failing, sampleMessage, useScriptedRegistry } from './scripted-registry.test-support.js';

/* The client package against a scripted gRPC server: the wire mapping, errors, retries and deadlines. */

describe('the registry client: wire mapping, errors, retries, deadlines', () => {
  const scripted = useScriptedRegistry();

  it('turns the wire message into the domain type', async () => {
    scripted.handlers.set('getClient', answering({ client: sampleMessage('abc') }));
    const client = await scripted.open().getClient('abc');
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
    scripted.handlers.set('getClient', answering({ client: sampleMessage('abc') }));
    scripted.handlers.set('listClients', answering({ clients: [], nextPageToken: '' }));
    const registry = scripted.open({ deadlineMs: 1500 });
    const before = Date.now();
    await registry.getClient('abc');
    await registry.listClients({ organizationId: 'PSDFR-ACPR-12345' });
    expect(scripted.calls).toHaveLength(2);
    for (const call of scripted.calls) {
      const at = call.deadline instanceof Date ? call.deadline.getTime() : call.deadline;
      expect(Number.isFinite(at)).toBe(true);
      expect(at).toBeGreaterThan(before);
      expect(at).toBeLessThanOrEqual(Date.now() + 1500);
    }
  });

  it('retries a read that failed with UNAVAILABLE, with backoff, until it succeeds', async () => {
    let attempts = 0;
    scripted.handlers.set('getClient', (call, callback) => {
      attempts++;
      if (attempts < 3) failing(status.UNAVAILABLE)(call, callback);
      else answering({ client: sampleMessage('abc') })(call, callback);
    });
    await expect(scripted.open().getClient('abc')).resolves.toMatchObject({ clientId: 'abc' });
    expect(attempts).toBe(3);
  });

  it('gives up after the last attempt with RegistryUnavailableError', async () => {
    scripted.handlers.set('checkRegistrationAccessToken', failing(status.UNAVAILABLE));
    await expect(
      scripted
        .open({ retry: { maxAttempts: 4, initialBackoffMs: 1 } })
        .checkRegistrationAccessToken('abc', 'token'),
    ).rejects.toBeInstanceOf(errors.RegistryUnavailableError);
    expect(scripted.calls).toHaveLength(4);
  });

  it('never retries a write, nor any other status', async () => {
    scripted.handlers.set('createClient', failing(status.UNAVAILABLE));
    scripted.handlers.set('getClient', failing(status.INTERNAL));
    const registry = scripted.open();
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
    ).rejects.toBeInstanceOf(errors.RegistryUnavailableError);
    await expect(registry.getClient('abc')).rejects.toBeInstanceOf(errors.RegistryFailureError);
    expect(scripted.calls.map((call) => call.method)).toEqual(['createClient', 'getClient']);
  });

  it.each([
    [status.NOT_FOUND, errors.ClientNotFoundError, 'not_found'],
    [status.ALREADY_EXISTS, errors.ClientAlreadyExistsError, 'already_exists'],
    [status.INVALID_ARGUMENT, errors.InvalidClientRequestError, 'invalid_argument'],
    [status.FAILED_PRECONDITION, errors.VersionConflictError, 'version_conflict'],
    [status.PERMISSION_DENIED, errors.ClientPermissionDeniedError, 'permission_denied'],
    [status.DEADLINE_EXCEEDED, errors.RegistryDeadlineExceededError, 'deadline_exceeded'],
    [status.INTERNAL, errors.RegistryFailureError, 'failure'],
  ])('maps status %i to %p', async (code, errorClass, kind) => {
    scripted.handlers.set('listClients', failing(code, 'details from the registry'));
    const error = await scripted
      .open()
      .listClients({ organizationId: 'PSDFR-ACPR-12345' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ kind, grpcCode: code, message: 'details from the registry' });
  });

  it('a client id the registry refuses as malformed is an unknown client: getClient not found, check undefined', async () => {
    scripted.handlers.set('getClient', failing(status.INVALID_ARGUMENT, 'client_id is missing or malformed'));
    scripted.handlers.set(
      'checkRegistrationAccessToken',
      failing(status.INVALID_ARGUMENT, 'client_id is missing or malformed'),
    );
    const registry = scripted.open();
    await expect(registry.getClient('bQ==')).rejects.toBeInstanceOf(errors.ClientNotFoundError);
    await expect(registry.checkRegistrationAccessToken('a/b', 'token')).resolves.toBeUndefined();
  });

  it('fails with RegistryDeadlineExceededError when the registry does not answer in time', async () => {
    scripted.handlers.set('getClient', () => undefined); // never answers
    const startedAt = Date.now();
    await expect(scripted.open({ deadlineMs: 200 }).getClient('abc')).rejects.toBeInstanceOf(
      errors.RegistryDeadlineExceededError,
    );
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('fails with RegistryUnavailableError when nothing listens at the scripted.address', async () => {
    const registry = createClientRegistry({
      address: '127.0.0.1:1',
      transport: { plaintext: true },
      deadlineMs: 500,
      retry: { initialBackoffMs: 5 },
    });
    scripted.opened.push(registry);
    await expect(registry.getClient('abc')).rejects.toBeInstanceOf(errors.RegistryUnavailableError);
  });
});
