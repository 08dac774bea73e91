import { readFileSync } from 'node:fs';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';
import { describe, expect, it } from '@jest/globals';
import { CertificateError, createClientCertificateResolver, parseXfcc } from '@psd2/certificates';
import { failureText, useEdgeInFrontOfEchoes } from './edge.test-support.js';

/* What a client's certificate turns into at the edge: the XFCC the service receives, or a closed connection. */

const fixture = useEdgeInFrontOfEchoes();
const { call, echoOf, files } = fixture;

describe('local edge: client certificates and XFCC', () => {
  it('forwards a request without a certificate with no XFCC at all', async () => {
    const echo = await echoOf('/oauth2/fr/sandbox/signin.html?client_id=x');
    expect(echo.service).toBe('authorization');
    expect(echo.url).toBe('/oauth2/fr/sandbox/signin.html?client_id=x');
    expect(echo.headers['x-forwarded-client-cert']).toBeUndefined();
    expect(echo.headers['x-forwarded-proto']).toBe('https');
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('replaces a forged XFCC header: dropped without a certificate', async () => {
    const forged = 'Hash=00;Cert="-----BEGIN%20CERTIFICATE-----%0Aforged";Subject="CN=evil"';
    const echo = await echoOf('/oauth2/token', {
      method: 'POST',
      headers: { 'x-forwarded-client-cert': forged },
    });
    expect(echo.headers['x-forwarded-client-cert']).toBeUndefined();
  });

  it('replaces a forged XFCC header: overwritten by the one the certificate gives', async () => {
    const forged = 'Hash=00;Cert="forged"';
    const echo = await echoOf('/oauth2/token', {
      method: 'POST',
      qwac: 'psp-pi',
      headers: { 'x-forwarded-client-cert': forged },
    });
    const header = String(echo.headers['x-forwarded-client-cert']);
    expect(header).not.toContain('forged');
    expect(parseXfcc(header)).toHaveLength(1);
  });

  it('gives the service exactly the identity the certificate holds', async () => {
    const echo = await echoOf('/oauth2/register', { method: 'POST', qwac: 'tpp-a', body: '{}' });
    const [element] = parseXfcc(String(echo.headers['x-forwarded-client-cert']));
    const certificate = readFileSync(files.pki.qwacs['tpp-a'].cert, 'utf8');
    expect(element?.cert).toBe(certificate);
    // Hash, Cert and Subject only, as envoy.yaml: the certificate's DNS name is not repeated.
    expect(element?.chain).toBeUndefined();
    expect(element?.dns).toEqual([]);
    expect(element?.uri).toEqual([]);
    expect(element?.subject).toBe(
      'CN=Demo TPP A QWAC,organizationIdentifier=PSDFR-ACPR-12345,O=Demo TPP A,C=FR',
    );

    // What a service does with it on the edge's connection: the QWAC checks.
    const resolver = createClientCertificateResolver();
    const identity = resolver.resolve({
      fromEdge: true,
      header: echo.headers['x-forwarded-client-cert'],
    });
    expect(identity).toMatchObject({
      organizationIdentifier: 'PSDFR-ACPR-12345',
      organizationName: 'Demo TPP A',
      roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
      ncaId: 'FR-ACPR',
    });
    expect(element?.hash).toBe(identity?.sha256);
  });

  it('passes a chain-valid QSealC on, for the service to refuse', async () => {
    const echo = await echoOf('/oauth2/token', { method: 'POST', qwac: 'qseal' });
    const resolver = createClientCertificateResolver();
    let code: string | undefined;
    try {
      resolver.resolve({
        fromEdge: true,
        header: echo.headers['x-forwarded-client-cert'],
      });
    } catch (error) {
      if (error instanceof CertificateError) code = error.code;
    }
    expect(code).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
  });

  it.each([
    ['signed by an untrusted CA', 'untrusted'],
    ['expired', 'expired'],
    ['not yet valid', 'not-yet-valid'],
  ] as const)(
    'refuses a certificate %s: the connection is closed before any request',
    async (_case, qwac) => {
      await expect(call('/oauth2/token', { method: 'POST', qwac })).rejects.toThrow(
        /socket hang up|ECONNRESET|EPIPE|alert/,
      );
    },
  );
});

describe('local edge: TLS policy', () => {
  function handshake(options: ConnectionOptions): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: fixture.edge.port,
        servername: 'localhost',
        ca: readFileSync(files.pki.ca.cert),
        ...options,
      });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  it('negotiates TLS 1.3 by default and TLS 1.2 with a shared cipher', async () => {
    const modern = await handshake({});
    expect(modern.getProtocol()).toBe('TLSv1.3');
    modern.destroy();
    const older = await handshake({ maxVersion: 'TLSv1.2' });
    expect(older.getProtocol()).toBe('TLSv1.2');
    expect(older.getCipher().name).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM|CHACHA20-POLY1305)/);
    older.destroy();
  });

  it('refuses TLS 1.1 and non-forward-secret ciphers', async () => {
    expect(await failureText(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }))).toMatch(
      /alert protocol version|unsupported protocol|no protocols available/i,
    );
    expect(await failureText(handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }))).toMatch(
      /alert handshake failure|no shared cipher/i,
    );
  });
});
