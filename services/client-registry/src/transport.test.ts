import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClientRegistry, RegistryUnavailableError } from '@psd2/client-registry-client';
import type { RegistryDatabase } from './db/database.js';
import { type RunningRegistryServer, startRegistryServer } from './server.js';
import { pgliteBackend, sampleClient, silentLogger } from './test-support.js';
import { chooseServerTransport, serverCredentials } from './transport.js';

describe('chooseServerTransport', () => {
  it('uses TLS when the certificate and key are given, mutual TLS with a CA', () => {
    expect(chooseServerTransport({ certFile: 'c', keyFile: 'k', plaintext: false })).toEqual({
      kind: 'tls',
      certFile: 'c',
      keyFile: 'k',
    });
    expect(
      chooseServerTransport({ certFile: 'c', keyFile: 'k', caFile: 'ca', plaintext: false }),
    ).toMatchObject({
      caFile: 'ca',
    });
  });

  it('uses plaintext only when asked for explicitly', () => {
    expect(chooseServerTransport({ plaintext: true })).toEqual({ kind: 'plaintext' });
    expect(() => chooseServerTransport({ plaintext: false })).toThrow('REGISTRY_TLS_CERT_FILE');
    expect(() => chooseServerTransport({ certFile: 'c', plaintext: false })).toThrow('REGISTRY_TLS_KEY_FILE');
  });

  it('refuses to guess when both are configured', () => {
    expect(() => chooseServerTransport({ certFile: 'c', keyFile: 'k', plaintext: true })).toThrow(
      'choose one',
    );
  });
});

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  key('ca.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-subj',
    '/CN=registry test CA',
    '-days',
    '1',
    '-out',
    file('ca.pem'),
  );
  for (const [name, extensions] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${name}`, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  }
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

describe('the registry over mutual TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-tls-'));
  let pki: ReturnType<typeof makePki>;
  let database: RegistryDatabase;
  let cleanup: () => Promise<void>;
  let server: RunningRegistryServer;

  beforeAll(async () => {
    pki = makePki(dir);
    ({ database, cleanup } = await pgliteBackend.open('client_registry_tls'));
    server = await startRegistryServer({
      host: '127.0.0.1',
      port: 0,
      credentials: serverCredentials(
        chooseServerTransport({
          certFile: pki.serverCert,
          keyFile: pki.serverKey,
          caFile: pki.ca,
          plaintext: false,
        }),
      ),
      database,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await server?.shutdown(1000);
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a client presenting a certificate from the CA', async () => {
    const registry = createClientRegistry({
      address: `127.0.0.1:${server.port}`,
      transport: { tls: { caFile: pki.ca, certFile: pki.clientCert, keyFile: pki.clientKey } },
    });
    try {
      const { client } = await registry.createClient(sampleClient());
      await expect(registry.getClient(client.clientId)).resolves.toMatchObject({ clientId: client.clientId });
    } finally {
      registry.close();
    }
  });

  it('refuses a client without a certificate, and a plaintext one', async () => {
    for (const transport of [{ tls: { caFile: pki.ca } }, { plaintext: true } as const]) {
      const registry = createClientRegistry({
        address: `127.0.0.1:${server.port}`,
        transport,
        deadlineMs: 1000,
        retry: { maxAttempts: 1 },
      });
      try {
        await expect(registry.listClients({ organizationId: 'PSDFR-ACPR-1' })).rejects.toBeInstanceOf(
          RegistryUnavailableError,
        );
      } finally {
        registry.close();
      }
    }
  });
});
