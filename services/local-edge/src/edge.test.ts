import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CertificateError, createClientCertificateResolver, parseXfcc } from '@psd2/certificates';
import { EDGE_LIMITS, EDGE_ROUTES, UPSTREAM_SERVICES, type UpstreamService } from '@psd2/edge-config';
import { type DemoPki, type DemoQwacName, writeDemoPki } from '@psd2/test-pki';
import { type LocalEdge, startLocalEdge } from './edge.js';

/*
 * The local edge with real TLS and real QWACs from the test PKI, in front of small upstream servers
 * that echo what they received. Everything stays on 127.0.0.1.
 */

interface Echo {
  readonly service: UpstreamService;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  readonly body: string;
}

interface Upstream {
  readonly server: http.Server;
  readonly url: URL;
  connections: number;
}

let dir: string;
let pki: DemoPki;
let edge: LocalEdge;
const upstreams = new Map<UpstreamService, Upstream>();

async function startEcho(service: UpstreamService): Promise<Upstream> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const echo: Echo = {
        service,
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      response.writeHead(200, { 'content-type': 'application/json', 'x-upstream': service });
      response.end(JSON.stringify(echo));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstream: Upstream = {
    server,
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    connections: 0,
  };
  server.on('connection', () => {
    upstream.connections++;
  });
  return upstream;
}

/** A port nothing listens on: bind, note, close. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-edge-test-'));
  pki = await writeDemoPki(dir);
  for (const service of UPSTREAM_SERVICES) {
    if (service !== 'revocation') upstreams.set(service, await startEcho(service));
  }
  const down = new URL(`http://127.0.0.1:${await closedPort()}`);
  const url = (service: UpstreamService) => upstreams.get(service)?.url ?? down;
  edge = await startLocalEdge({
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: pki.clientCaBundle },
    upstreams: {
      registration: url('registration'),
      authorization: url('authorization'),
      token: url('token'),
      revocation: down, // a service that is not running
    },
  });
});

afterAll(async () => {
  await edge?.close();
  for (const upstream of upstreams.values()) {
    upstream.server.closeAllConnections();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  }
  await rm(dir, { recursive: true, force: true });
});

interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly qwac?: DemoQwacName;
  readonly agent?: https.Agent;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** One HTTPS request through the edge; a fresh TLS connection unless an agent is given. */
function call(path: string, options: CallOptions = {}): Promise<Reply> {
  const qwac = options.qwac === undefined ? undefined : pki.qwacs[options.qwac];
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${edge.url}${path}`,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: readFileSync(pki.ca.cert),
        servername: 'localhost',
        ...(qwac === undefined ? {} : { cert: readFileSync(qwac.cert), key: readFileSync(qwac.key) }),
        agent: options.agent ?? false,
        timeout: 5000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}

async function echoOf(path: string, options: CallOptions = {}): Promise<Echo> {
  const reply = await call(path, options);
  expect(reply.status).toBe(200);
  return JSON.parse(reply.text) as Echo;
}

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
    const certificate = readFileSync(pki.qwacs['tpp-a'].cert, 'utf8');
    expect(element?.cert).toBe(certificate);
    expect(element?.chain?.startsWith(certificate)).toBe(true);
    expect(element?.dns).toEqual(['tpp.example']);
    expect(element?.subject).toBe(
      'CN=Demo TPP A QWAC,organizationIdentifier=PSDFR-ACPR-12345,O=Demo TPP A,C=FR',
    );

    // What a service does with it: trusted proxy (the edge connects from 127.0.0.1), then the QWAC checks.
    const resolver = createClientCertificateResolver();
    const identity = resolver.resolve({
      remoteAddress: echo.remoteAddress,
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
        remoteAddress: echo.remoteAddress,
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
  function handshake(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: edge.port,
        servername: 'localhost',
        ca: readFileSync(pki.ca.cert),
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
    await expect(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
    await expect(handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' })).rejects.toThrow();
  });
});

describe('local edge: routing and forwarding', () => {
  it.each(
    EDGE_ROUTES.filter((route) => route.service !== 'revocation').map((route) => {
      const path = 'path' in route.match ? route.match.path : `${route.match.prefix}x`;
      return [path, route.service] as const;
    }),
  )('routes %s to %s', async (path, service) => {
    expect((await echoOf(path)).service).toBe(service);
  });

  it('answers an unknown path with an OAuth-shaped 404', async () => {
    const reply = await call('/admin');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 503 in JSON when the service is down', async () => {
    const reply = await call('/oauth2/revoke', { method: 'POST', body: 'token=x' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('keeps x-request-id and traceparent, and generates a request id when there is none', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = await echoOf('/oauth2/token', { headers: { 'x-request-id': 'req-123', traceparent } });
    expect(kept.headers['x-request-id']).toBe('req-123');
    expect(kept.headers.traceparent).toBe(traceparent);
    const generated = await echoOf('/oauth2/token');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('forwards the body, method and query, and strips hop-by-hop and x-envoy-* headers', async () => {
    const echo = await echoOf('/oauth2/token?a=1', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        connection: 'keep-alive, x-secret',
        'x-secret': 'hop',
        'x-envoy-original-path': '/evil',
      },
      body: 'grant_type=client_credentials&scope=pisp+x',
    });
    expect(echo).toMatchObject({ method: 'POST', url: '/oauth2/token?a=1' });
    expect(echo.body).toBe('grant_type=client_credentials&scope=pisp+x');
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.headers['x-secret']).toBeUndefined();
    expect(echo.headers['x-envoy-original-path']).toBeUndefined();
  });

  it('normalises paths as Envoy does, and refuses encoded slashes', async () => {
    expect((await echoOf('/oauth2//fr/../token')).url).toBe('/oauth2/token');
    expect((await call('/oauth2/register%2Fx')).status).toBe(400);
    expect((await call('/oauth2/token', { headers: { x_forwarded_client_cert: 'x' } })).status).toBe(400);
  });

  it('refuses a body above the limit with 413 before calling the service', async () => {
    const before = upstreams.get('token')?.connections ?? 0;
    const reply = await call('/oauth2/token', {
      method: 'POST',
      body: Buffer.alloc(EDGE_LIMITS.maxRequestBodyBytes + 1, 'a'),
    });
    expect(reply.status).toBe(413);
    expect(upstreams.get('token')?.connections ?? 0).toBe(before);
  });

  it('reuses upstream connections (keep-alive)', async () => {
    const upstream = upstreams.get('registration');
    await echoOf('/oauth2/register/warm-up');
    const before = upstream?.connections ?? 0;
    for (let i = 0; i < 5; i++) await echoOf(`/oauth2/register/client-${i}`);
    expect(upstream?.connections ?? 0).toBe(before);
  });
});

describe('local edge: readiness and CA bundle rotation', () => {
  let rotating: LocalEdge;
  let files: { certFile: string; keyFile: string; clientCaFile: string };

  beforeAll(async () => {
    files = {
      certFile: join(dir, 'rotating-server.crt'),
      keyFile: join(dir, 'rotating-server.key'),
      clientCaFile: join(dir, 'rotating-client-ca.pem'),
    };
    await copyFile(pki.server.cert, files.certFile);
    await copyFile(pki.server.key, files.keyFile);
    await copyFile(pki.clientCaBundle, files.clientCaFile);
    rotating = await startLocalEdge({
      host: '127.0.0.1',
      port: 0,
      healthPort: 0,
      tls: files,
      upstreams: {
        registration: new URL('http://127.0.0.1:1'),
        authorization: new URL('http://127.0.0.1:1'),
        token: upstreams.get('token')?.url ?? new URL('http://127.0.0.1:1'),
        revocation: new URL('http://127.0.0.1:1'),
      },
    });
  });

  afterAll(async () => {
    await rotating?.close();
  });

  function through(qwac: DemoQwacName): Promise<number> {
    const files = pki.qwacs[qwac];
    return new Promise((resolve, reject) => {
      https
        .get(
          `${rotating.url}/oauth2/token`,
          {
            ca: readFileSync(pki.ca.cert),
            servername: 'localhost',
            cert: readFileSync(files.cert),
            key: readFileSync(files.key),
            agent: false,
            timeout: 5000,
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
  }

  it('answers GET /ready on its plain-HTTP health port', async () => {
    const response = await fetch(rotating.healthUrl ?? '', { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('applies a replaced CA bundle on reloadTls, without a restart', async () => {
    expect(await through('tpp-a')).toBe(200);
    await expect(through('untrusted')).rejects.toThrow();
    // The bank now trusts only the other QTSP.
    await copyFile(pki.untrustedCa.cert, files.clientCaFile);
    await rotating.reloadTls();
    await expect(through('tpp-a')).rejects.toThrow();
    expect(await through('untrusted')).toBe(200);
  });
});
