import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CertificateError, createClientCertificateResolver, parseXfcc } from '@psd2/certificates';
import { EDGE_LIMITS, EDGE_ROUTES, UPSTREAM_SERVICES, type UpstreamService } from '@psd2/edge-config';
import { type DemoPki, type DemoQwacName, writeDemoPki } from '@psd2/test-pki';
import { type LocalEdge, type LocalEdgeOptions, startLocalEdge, UPSTREAM_IDLE_TIMEOUT_MS } from './edge.js';

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
  /** Another edge than the shared one. */
  readonly through?: LocalEdge;
  /** Called with the client request once sent, e.g. to destroy it midway. */
  readonly onRequest?: (request: http.ClientRequest) => void;
  /** Called with each chunk of the response body as it arrives. */
  readonly onChunk?: (chunk: Buffer, request: http.ClientRequest) => void;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly text: string;
  /** Status codes of the 1xx responses received before the final one. */
  readonly informational: readonly number[];
}

/** One HTTPS request through the edge; a fresh TLS connection unless an agent is given. */
function call(path: string, options: CallOptions = {}): Promise<Reply> {
  const qwac = options.qwac === undefined ? undefined : pki.qwacs[options.qwac];
  const informational: number[] = [];
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${(options.through ?? edge).url}${path}`,
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
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          options.onChunk?.(chunk, request);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            text: Buffer.concat(chunks).toString('utf8'),
            informational,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('information', (info: http.InformationEvent) => informational.push(info.statusCode));
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(options.body);
    options.onRequest?.(request);
  });
}

/** The message and code of the error `promise` rejects with (and its cause's); fails if it resolves. */
async function failureText(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    // Duck-typed: errors from Node's own modules are not `instanceof Error` inside Jest's sandbox.
    const parts: string[] = [];
    let current = error as { message?: unknown; code?: unknown; cause?: unknown } | undefined;
    for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
      parts.push(`${typeof current.code === 'string' ? `${current.code} ` : ''}${String(current.message)}`);
      current = current.cause as typeof current;
    }
    return parts.join(' <- ');
  }
  throw new Error('expected a failure without an answer, but the request succeeded');
}

/** The local edge refused the client's certificate: connection closed right after the handshake. */
const CERTIFICATE_REFUSED = /ECONNRESET|EPIPE|socket hang up/;

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
    // Hash, Cert and Subject only, as envoy.yaml: the certificate's DNS name is not repeated.
    expect(element?.chain).toBeUndefined();
    expect(element?.dns).toEqual([]);
    expect(element?.uri).toEqual([]);
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
    expect(await failureText(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }))).toMatch(
      /alert protocol version|unsupported protocol|no protocols available/i,
    );
    expect(await failureText(handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }))).toMatch(
      /alert handshake failure|no shared cipher/i,
    );
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

  it("forwards the client's Host, and drops TE and Expect (the edge has read the whole body already)", async () => {
    const echo = await echoOf('/oauth2/token', {
      method: 'POST',
      headers: { host: 'bank.example', te: 'trailers', expect: '100-continue' },
      body: 'a=1',
    });
    expect(echo.headers.host).toBe('bank.example');
    expect(echo.headers.te).toBeUndefined();
    expect(echo.headers.expect).toBeUndefined();
    expect(echo.body).toBe('a=1');
  });

  it('sends content-length for a POST without a body, and none for a GET without one', async () => {
    const post = await echoOf('/oauth2/token', { method: 'POST' });
    expect(post.headers['content-length']).toBe('0');
    const get = await echoOf('/oauth2/token');
    expect(get.headers['content-length']).toBeUndefined();
    expect(get.headers['transfer-encoding']).toBeUndefined();
  });

  it('normalises paths as Envoy does, and refuses encoded slashes', async () => {
    expect((await echoOf('/oauth2//fr/../token')).url).toBe('/oauth2/token');
    expect((await call('/oauth2/register%2Fx')).status).toBe(400);
    // A target the URL parser cannot read at all is malformed too, never a 500.
    expect((await call('//[')).status).toBe(400);
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
    // HEAD included: its connection is kept like any other.
    for (let i = 0; i < 2; i++)
      expect((await call('/oauth2/register/head', { method: 'HEAD' })).status).toBe(200);
    await echoOf('/oauth2/register/after-head');
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
    expect(await failureText(through('untrusted'))).toMatch(CERTIFICATE_REFUSED);
    // The bank now trusts only the other QTSP.
    await copyFile(pki.untrustedCa.cert, files.clientCaFile);
    await rotating.reloadTls();
    expect(await failureText(through('tpp-a'))).toMatch(CERTIFICATE_REFUSED);
    expect(await through('untrusted')).toBe(200);
  });
});

describe('local edge: the call to the service', () => {
  /*
   * Two more edges whose routes lead to a scripted service: each path under /oauth2/register/ names
   * what the service does. `scripted` has its route timeout shortened to 1 s; `patient` keeps the real
   * one, so that what it observes cannot be the route timeout's doing.
   */
  let scripted: LocalEdge;
  let patient: LocalEdge;
  let edgeOptions: LocalEdgeOptions;
  let service: http.Server;
  const routeTimeoutSeconds = 1;

  /** A request the service holds until the test releases it. */
  interface Held {
    readonly received: Promise<void>;
    /** Resolves once the service's response closed: true when the edge hung up before it finished. */
    readonly cancelled: Promise<boolean>;
    readonly released: Promise<void>;
    readonly release: () => void;
    readonly markReceived: () => void;
    readonly markClosed: (early: boolean) => void;
  }
  const held = new Map<string, Held>();
  const socketOf = new Map<string, Socket>();

  function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve: (value: T) => void = () => undefined;
    const promise = new Promise<T>((done) => {
      resolve = done;
    });
    return { promise, resolve };
  }

  function holdFor(name: string): Held {
    const existing = held.get(name);
    if (existing !== undefined) return existing;
    const received = deferred<void>();
    const cancelled = deferred<boolean>();
    const released = deferred<void>();
    const entry: Held = {
      received: received.promise,
      cancelled: cancelled.promise,
      released: released.promise,
      release: () => released.resolve(),
      markReceived: () => received.resolve(),
      markClosed: (early) => cancelled.resolve(early),
    };
    held.set(name, entry);
    return entry;
  }

  function script(request: http.IncomingMessage, response: http.ServerResponse): void {
    const name = (request.url ?? '').replace('/oauth2/register/', '').split('?', 1)[0] ?? '';
    socketOf.set(name, request.socket);
    request.resume();
    switch (name) {
      case 'garbage':
        request.socket.end('NOT HTTP\r\n\r\n');
        return;
      case 'hang-up':
        request.socket.destroy();
        return;
      case 'silent':
        return;
      case 'stall-body':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('part');
        return;
      case 'headers':
        // biome-ignore format: one name-value pair per line shows the repetitions
        response.writeHead(200, [
          'x-a', '1', 'x-a', '2',
          'content-type', 'text/plain', 'content-type', 'text/html',
          'set-cookie', 'a=1', 'set-cookie', 'b=2',
          'cache-control', 'no-store', 'cache-control', 'private',
          'connection', 'x-hop', 'x-hop', 'gone', 'proxy-connection', 'x',
        ]);
        response.end('headers');
        return;
      case 'hints':
        response.writeEarlyHints({ link: '</style.css>; rel=preload' });
        response.end('hinted');
        return;
      case 'big':
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(Buffer.alloc(1024 * 1024, 'b'));
        return;
      default:
        break;
    }
    if (name.startsWith('held-')) {
      const entry = holdFor(name);
      response.once('close', () => entry.markClosed(!response.writableFinished));
      if (request.url?.endsWith('?after-headers')) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first');
      }
      entry.markReceived();
      void entry.released.then(() => response.end('second'));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  }

  beforeAll(async () => {
    service = http.createServer(script);
    // Far beyond the edge's own idle timeout: the edge, not the service, must close idle connections.
    service.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(service.address() as AddressInfo).port}`);
    edgeOptions = {
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: pki.clientCaBundle },
      upstreams: { registration: url, authorization: url, token: url, revocation: url },
    };
    scripted = await startLocalEdge({ ...edgeOptions, routeTimeoutSeconds });
    patient = await startLocalEdge(edgeOptions);
  });

  afterAll(async () => {
    for (const entry of held.values()) entry.release();
    await scripted?.close();
    await patient?.close();
    service?.closeAllConnections();
    await new Promise<void>((resolve) => service?.close(() => resolve()));
  });

  const through = (path: string, options: CallOptions = {}) =>
    call(`/oauth2/register/${path}`, { through: scripted, ...options });

  /**
   * Whether the service saw its request cancelled, waiting at most 10 s: a deadline with room for a
   * loaded machine, still well short of the patient edge's 15 s route timeout, which would cancel it too.
   */
  const cancelledSoon = (entry: Held) =>
    Promise.race([
      entry.cancelled,
      new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'not cancelled')),
    ]);

  it('answers 504 in JSON when the service does not answer within the route timeout', async () => {
    const started = performance.now();
    const reply = await through('silent');
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service did not answer in time.',
    });
    expect(elapsed).toBeGreaterThan(routeTimeoutSeconds * 1000 * 0.4);
  });

  it('cuts the client off when the service stalls mid-body beyond the route timeout', async () => {
    let firstChunk = '';
    await expect(
      through('stall-body', {
        onChunk: (chunk) => {
          firstChunk ||= chunk.toString('utf8');
        },
      }),
    ).rejects.toThrow(/aborted|ECONNRESET|socket hang up/);
    expect(firstChunk).toBe('part');
  });

  it('answers 503 when the service closes the connection without answering', async () => {
    const reply = await through('hang-up');
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('answers 502 server_error when the service answers something other than HTTP', async () => {
    const reply = await through('garbage');
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({
      error: 'server_error',
      error_description: 'The service answered incorrectly.',
    });
  });

  it('cancels the call to the service when the client leaves before the answer', async () => {
    const entry = holdFor('held-before-headers');
    const reply = through('held-before-headers', {
      through: patient,
      onRequest: (request) => {
        void entry.received.then(() => request.destroy());
      },
    });
    await expect(reply).rejects.toThrow();
    expect(await cancelledSoon(entry)).toBe(true);
  });

  it('cancels the call to the service when the client leaves in the middle of the body', async () => {
    const entry = holdFor('held-mid-body');
    const reply = through('held-mid-body?after-headers', {
      through: patient,
      onChunk: (_chunk, request) => request.destroy(),
    });
    await expect(reply).rejects.toThrow();
    expect(await cancelledSoon(entry)).toBe(true);
  });

  it('streams the body: the client has the first part before the service sends the rest', async () => {
    const entry = holdFor('held-streamed');
    const reply = await through('held-streamed?after-headers', {
      through: patient,
      onChunk: () => entry.release(),
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('firstsecond');
    expect(await entry.cancelled).toBe(false);
  });

  it('passes a large body through intact', async () => {
    const reply = await through('big');
    expect(reply.text).toBe('b'.repeat(1024 * 1024));
  });

  it('copies response headers as before: repeated fields joined or first kept, set-cookie one line each, hop-by-hop dropped', async () => {
    const reply = await through('headers');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('headers');
    const lines: string[] = [];
    for (let i = 0; i < reply.rawHeaders.length; i += 2) {
      const name = reply.rawHeaders[i]?.toLowerCase() ?? '';
      if (name !== 'date' && name !== 'connection' && name !== 'transfer-encoding' && name !== 'keep-alive')
        lines.push(`${name}: ${reply.rawHeaders[i + 1]}`);
    }
    expect(lines).toEqual([
      'x-a: 1, 2',
      'content-type: text/plain',
      'set-cookie: a=1',
      'set-cookie: b=2',
      'cache-control: no-store, private',
    ]);
    // The service's own Connection / Keep-Alive never reach the client; the edge speaks for itself.
    expect(reply.headers.connection).toBe('close');
    expect(reply.headers['keep-alive']).toBeUndefined();
  });

  it('does not pass 1xx informational answers on, only the final one', async () => {
    const reply = await through('hints');
    expect(reply.informational).toEqual([]);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('hinted');
  });

  it("keeps connections to a service idle for less than Node's server keep-alive timeout", () => {
    // The edge, not the service, must close an idle connection: otherwise a request may be sent on a
    // connection the service is closing at that moment.
    expect(UPSTREAM_IDLE_TIMEOUT_MS).toBeLessThan(new http.Server().keepAliveTimeout);
  });

  it('closes an idle connection to the service once its idle time has passed', async () => {
    const IDLE_MS = 300;
    const brisk = await startLocalEdge({ ...edgeOptions, upstreamIdleTimeoutMs: IDLE_MS });
    try {
      const reply = await call('/oauth2/register/keep-alive-brisk', { through: brisk });
      expect(reply.status).toBe(200);
      const socket = socketOf.get('keep-alive-brisk');
      expect(socket?.destroyed).toBe(false);
      const idleSince = performance.now();
      // The service keeps idle connections for 60 s: a close is the edge's doing. Waited for without an
      // upper bound (the test's own timeout is the deadline); the lower bound shows it was the idle timer.
      await new Promise<void>((resolve) => socket?.once('close', () => resolve()));
      expect(performance.now() - idleSince).toBeGreaterThanOrEqual(IDLE_MS - 20);
    } finally {
      await brisk.close();
    }
  });
});
