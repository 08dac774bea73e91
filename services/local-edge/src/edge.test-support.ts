import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { UPSTREAM_SERVICES, type UpstreamService } from '@psd2/edge-config';
import { type CertificateFiles, type DemoPki, type DemoQwacName, writeDemoPki } from '@psd2/test-pki';
import { type LocalEdge, type LocalEdgeOptions, startLocalEdge } from './edge.js';

/*
 * The local edge's tests run it with real TLS and real QWACs from the test PKI, in front of small
 * upstream servers on 127.0.0.1. What every test file shares: the PKI, starting and stopping servers,
 * one HTTPS call through an edge, and the edge in front of echoing services.
 */

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
  return value;
}

/** The demo PKI in a temporary directory for one test file, removed after it. */
export function useTestPki(): { readonly pki: DemoPki; readonly dir: string } {
  let dir: string | undefined;
  let pki: DemoPki | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-edge-test-'));
    pki = await writeDemoPki(dir);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return {
    get pki() {
      return ready(pki, 'the test PKI');
    },
    get dir() {
      return ready(dir, 'the test PKI');
    },
  };
}

/** Options for an edge on a free loopback port with the PKI's server certificate. */
export function edgeOptions(
  pki: DemoPki,
  upstreams: LocalEdgeOptions['upstreams'],
  more: Partial<LocalEdgeOptions> = {},
): LocalEdgeOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: pki.clientCaBundle },
    upstreams,
    ...more,
  };
}

export async function listening(server: http.Server): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

export async function stop(server: http.Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
}

/** A URL nothing listens on: bind, note, close. */
export async function closedUrl(): Promise<URL> {
  const server = http.createServer();
  const url = await listening(server);
  await stop(server);
  return url;
}

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly qwac?: DemoQwacName;
  /** A client certificate outside the demo set (takes precedence over `qwac`). */
  readonly certificate?: CertificateFiles;
  readonly agent?: https.Agent;
  /** Called with the client request once sent, e.g. to destroy it midway. */
  readonly onRequest?: (request: http.ClientRequest) => void;
  /** Called with each chunk of the response body as it arrives. */
  readonly onChunk?: (chunk: Buffer, request: http.ClientRequest) => void;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly text: string;
  /** Status codes of the 1xx responses received before the final one. */
  readonly informational: readonly number[];
}

/** One HTTPS request through `edge`; a fresh TLS connection unless an agent is given. */
export function callEdge(
  edge: LocalEdge,
  pki: DemoPki,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const qwac = options.certificate ?? (options.qwac === undefined ? undefined : pki.qwacs[options.qwac]);
  const informational: number[] = [];
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
export async function failureText(promise: Promise<unknown>): Promise<string> {
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
export const CERTIFICATE_REFUSED = /ECONNRESET|EPIPE|socket hang up/;

/** What an echoing service received. */
export interface Echo {
  readonly service: UpstreamService;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  readonly body: string;
}

export interface EchoService {
  readonly server: http.Server;
  readonly url: URL;
  /** Connections the service has accepted so far. */
  connections: number;
}

async function startEcho(service: UpstreamService): Promise<EchoService> {
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
  const upstream: EchoService = { server, url: await listening(server), connections: 0 };
  server.on('connection', () => {
    upstream.connections++;
  });
  return upstream;
}

/**
 * One edge in front of an echoing service per route, except revocation, which is not running: the
 * fixture most test files share.
 */
export function useEdgeInFrontOfEchoes() {
  const files = useTestPki();
  const echoes = new Map<UpstreamService, EchoService>();
  let edge: LocalEdge | undefined;
  beforeAll(async () => {
    for (const service of UPSTREAM_SERVICES) {
      if (service !== 'revocation') echoes.set(service, await startEcho(service));
    }
    const down = await closedUrl();
    const url = (service: UpstreamService) => echoes.get(service)?.url ?? down;
    edge = await startLocalEdge(
      edgeOptions(files.pki, {
        registration: url('registration'),
        authorization: url('authorization'),
        token: url('token'),
        revocation: down,
      }),
    );
  });
  afterAll(async () => {
    await edge?.close();
    for (const echo of echoes.values()) await stop(echo.server);
  });
  const call = (path: string, options: CallOptions = {}) =>
    callEdge(ready(edge, 'the edge'), files.pki, path, options);
  return {
    files,
    echoes,
    call,
    /** The echo of a request the edge forwarded (status 200). */
    async echoOf(path: string, options: CallOptions = {}): Promise<Echo> {
      const reply = await call(path, options);
      expect(reply.status).toBe(200);
      return JSON.parse(reply.text) as Echo;
    },
    get edge() {
      return ready(edge, 'the edge');
    },
  };
}
