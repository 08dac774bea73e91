import { status } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import { MAX_CACHE_TTL_MS } from './cache.js';
import { createClientRegistry } from './client.js';
import { ClientNotFoundError, RegistryUnavailableError } from './errors.js';
import { answering, failing, sampleMessage, useScriptedRegistry } from './scripted-registry.test-support.js';

/* The client package against a scripted gRPC server: the read cache, readiness and TLS options. */

describe('the registry client: read cache, readiness, TLS options', () => {
  const scripted = useScriptedRegistry();

  describe('read cache', () => {
    it('serves a read from the cache within its TTL, and asks again after it', async () => {
      scripted.handlers.set('getClient', answering({ client: sampleMessage('abc') }));
      let now = 1_000_000;
      const registry = scripted.open({ cacheTtlMs: 150, now: () => now });
      await registry.getClient('abc');
      now += 149;
      await registry.getClient('abc');
      expect(scripted.calls).toHaveLength(1);
      await registry.getClient('abc', { fresh: true });
      expect(scripted.calls).toHaveLength(2);
      now += 151;
      await registry.getClient('abc');
      expect(scripted.calls).toHaveLength(3);
    });

    it('shares one call between concurrent misses', async () => {
      scripted.handlers.set('getClient', (call, callback) => {
        setTimeout(() => answering({ client: sampleMessage('abc') })(call, callback), 50);
      });
      const registry = scripted.open({ cacheTtlMs: 1000 });
      const results = await Promise.all([
        registry.getClient('abc'),
        registry.getClient('abc'),
        registry.getClient('abc'),
      ]);
      expect(scripted.calls).toHaveLength(1);
      expect(results[0]).toBe(results[2]);
    });

    it('forgets a client this process replaces, deletes or rotates', async () => {
      const actor = { organizationId: 'PSDFR-ACPR-12345', certificateThumbprint: 'x'.repeat(43) };
      scripted.handlers.set('getClient', answering({ client: sampleMessage('abc') }));
      scripted.handlers.set('replaceClient', answering({ client: sampleMessage('abc', 2) }));
      scripted.handlers.set('deleteClient', answering({}));
      scripted.handlers.set(
        'rotateRegistrationAccessToken',
        answering({ client: sampleMessage('abc', 3), registrationAccessToken: 't' }),
      );
      const registry = scripted.open({ cacheTtlMs: 5000 });
      const gets = () => scripted.calls.filter((call) => call.method === 'getClient').length;

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
      scripted.handlers.set('replaceClient', (call, callback) => {
        received.push(call.request);
        callback(null, { client: sampleMessage('abc', 2) });
      });
      const registry = scripted.open();
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
      scripted.handlers.set('getClient', failing(status.NOT_FOUND));
      const registry = scripted.open({ cacheTtlMs: 1000 });
      await expect(registry.getClient('gone')).rejects.toBeInstanceOf(ClientNotFoundError);
      await expect(registry.getClient('gone')).rejects.toBeInstanceOf(ClientNotFoundError);
      expect(scripted.calls).toHaveLength(2);
    });

    it(`refuses a TTL above ${MAX_CACHE_TTL_MS} ms`, () => {
      expect(() => scripted.open({ cacheTtlMs: MAX_CACHE_TTL_MS + 1 })).toThrow(RangeError);
    });
  });

  it('waits for the registry to be reachable, or says it is not', async () => {
    await expect(scripted.open().waitForReady(1000)).resolves.toBeUndefined();
    const nowhere = createClientRegistry({ address: '127.0.0.1:1', transport: { plaintext: true } });
    scripted.opened.push(nowhere);
    await expect(nowhere.waitForReady(200)).rejects.toBeInstanceOf(RegistryUnavailableError);
  });

  it('refuses a client certificate without its key', () => {
    expect(() =>
      createClientRegistry({ address: scripted.address, transport: { tls: { cert: 'pem' } } }),
    ).toThrow('a client certificate needs its key');
  });
});
