import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  type Attributes,
  isSpanContextValid,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  ValueType,
} from '@opentelemetry/api';
import {
  EDGE_HEALTH,
  EDGE_LIMITS,
  EDGE_ROUTES,
  EDGE_TLS_POLICY,
  type EdgeRoute,
  NOT_FOUND_BODY,
  routeFor,
  type UpstreamService,
} from '@psd2/edge-config';
import type { Logger } from '@psd2/logging';
import { tracerOf } from '@psd2/telemetry';
import { type Dispatcher, Pool } from 'undici';
import { connectionIdentity } from './forwarded-client-cert.js';
import { normalisedTarget, type Target } from './target.js';

/*
 * A Node HTTPS server that behaves like envoy/envoy.yaml, for `pnpm start` and the end-to-end tests:
 * the same route table, TLS policy, client-certificate validation, XFCC output with SANITIZE_SET
 * semantics (forwarded-client-cert.ts), request ids and limits. Differences that remain are listed in
 * docs/edge.md (HTTP/1.1 only, no active health checks).
 */

export interface LocalEdgeOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly tls: {
    /** PEM files: the server certificate (chain allowed), its key, and the trusted QTSP CA bundle. */
    readonly certFile: string;
    readonly keyFile: string;
    readonly clientCaFile: string;
  };
  /** Base URL of each service, e.g. http://127.0.0.1:8081. */
  readonly upstreams: Readonly<Record<UpstreamService, URL>>;
  readonly routes?: readonly EdgeRoute[];
  readonly logger?: Logger;
  /**
   * Plain-HTTP port answering `GET /ready` (200, or 503 once closing), like envoy.yaml's health listener;
   * bound to the same host. Undefined: no health listener; 0: a free port.
   */
  readonly healthPort?: number;
  /** `EDGE_LIMITS.routeTimeoutSeconds` unless given (tests shorten it). */
  readonly routeTimeoutSeconds?: number;
  /** `UPSTREAM_IDLE_TIMEOUT_MS` unless given (tests shorten it). */
  readonly upstreamIdleTimeoutMs?: number;
}

/**
 * Idle connections to a service close before Node's default 5 s server keepAliveTimeout (so the edge
 * never sends on a connection the service is closing), as envoy.yaml's upstream `idle_timeout: 4s`.
 */
export const UPSTREAM_IDLE_TIMEOUT_MS = 4000;

export interface LocalEdge {
  /** https://<host>:<port> as actually bound. */
  readonly url: string;
  readonly port: number;
  /** http://<host>:<port>/ready when a health port was asked for. */
  readonly healthUrl: string | undefined;
  /**
   * Re-reads the three TLS files and applies them to new connections: a rotated server certificate or
   * CA bundle takes effect without a restart (main.ts calls it on SIGHUP).
   */
  reloadTls(): Promise<void>;
  /** Stops accepting, closes idle and upstream connections, resolves once the server has closed. */
  close(): Promise<void>;
}

/** RFC 9110 §7.6.1 hop-by-hop fields, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
]);

/** Bodies of the edge's own answers: OAuth-shaped, as services answer (RFC 6749 §5.2 fields). */
function errorBody(error: string, description: string): string {
  return JSON.stringify({ error, error_description: description });
}

/** The fields a `Connection` header names, hop-by-hop for that message only; undefined when there is none. */
function connectionOptions(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const named = new Set<string>();
  for (const token of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') named.add(name);
  }
  return named;
}

/** Envoy's headers_with_underscores_action: REJECT_REQUEST. */
function hasUnderscoreName(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.includes('_')) return true;
  }
  return false;
}

/**
 * Fields Node's http client keeps only the first of when a response repeats them. The edge passed
 * responses on as that client presented them, and still does: undici keeps every repetition instead.
 */
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** A repeated field as Node's IncomingMessage joins it: set-cookie line by line, cookie with `; `, lists with `, `. */
function folded(name: string, values: string[]): string | string[] {
  if (name === 'set-cookie') return values;
  if (FIRST_ONLY.has(name)) return values[0] ?? '';
  return values.join(name === 'cookie' ? '; ' : ', ');
}

/** The service's response fields that go on to the client. */
function forwardedResponseHeaders(headers: Dispatcher.ResponseData['headers']): http.OutgoingHttpHeaders {
  const listed = connectionOptions(headers.connection);
  const forwarded: http.OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    forwarded[name] = Array.isArray(value) ? folded(name, value) : value;
  }
  return forwarded;
}

async function readTlsFiles(
  files: LocalEdgeOptions['tls'],
): Promise<{ cert: Buffer; key: Buffer; ca: Buffer }> {
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    readFile(files.clientCaFile),
  ]);
  return { cert, key, ca };
}

const SECURE_CONTEXT_OPTIONS = {
  minVersion: EDGE_TLS_POLICY.minVersion,
  maxVersion: EDGE_TLS_POLICY.maxVersion,
  ciphers: [...EDGE_TLS_POLICY.tls13CipherSuites, ...EDGE_TLS_POLICY.cipherSuites].join(':'),
  ecdhCurve: EDGE_TLS_POLICY.ecdhCurves.join(':'),
  honorCipherOrder: true,
} as const;

/*
 * Tracing, by hand: one SERVER span for the client's request (continuing its traceparent) and one
 * CLIENT span for the call to the service, whose context goes upstream in place of the client's.
 * Contexts are passed explicitly rather than through the generic HTTP instrumentation, which cost
 * the token benchmark about 20 points of throughput in this process alone (bench/src/tracing-overhead.ts)
 * for the same two spans (packages/telemetry/src/sdk.ts leaves this process uninstrumented).
 * Without the telemetry preload (or with OTEL_SDK_DISABLED=true) the API is a no-op: the spans are
 * invalid and the client's trace headers are passed on as they came.
 */
const INSTRUMENTATION_SCOPE = '@psd2/local-edge';

const edgeTracer = tracerOf(INSTRUMENTATION_SCOPE);

function serverSpanOf(request: http.IncomingMessage): Span {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const method = request.method ?? 'GET';
  return edgeTracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.scheme': 'https',
        // Path only: a query string could carry anything a client put there.
        'url.path': (request.url ?? '').split('?', 1)[0] ?? '',
        'network.protocol.version': request.httpVersion,
        'client.address': request.socket.remoteAddress ?? '',
      },
    },
    parent,
  );
}

/** A service's origin, its pool of keep-alive connections, and what the client span says about it. */
interface Upstream {
  readonly pool: Pool;
  /** The configured URL, for logs. */
  readonly href: string;
  readonly origin: string;
  readonly hostname: string;
  readonly port: number;
}

/** Upstream failures Envoy answers 503: the service could not be reached, or went away before answering. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ECONNRESET',
  // undici: the service closed the connection without an answer; connecting took too long.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // undici: the edge is closing (close() destroys the pools).
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
]);

/** The route timeout, as undici's headersTimeout and bodyTimeout report it. */
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** undici refused the request the edge built, before sending anything: the edge's own failure (500). */
const REFUSED_LOCALLY = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

function codeOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : '';
}

/**
 * One call to a service, as undici's dispatch handler: the response is written to the client as it
 * arrives (with backpressure), and failures become the edge's JSON answers. Settles with the status the
 * access log records, once the response has started or the call has failed.
 */
class UpstreamCall implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  /** The service's status once its response has started; the client has had the status line then. */
  #status: number | undefined;
  #clientGone = false;
  #spanEnded = false;

  constructor(
    private readonly response: http.ServerResponse,
    private readonly span: Span,
    private readonly upstreamHref: string,
    private readonly logger: Logger | undefined,
    private readonly settle: (status: number) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  /** The client went away before its response finished. */
  cancel(): void {
    this.#clientGone = true;
    // Not started yet (waiting for a pooled connection): onRequestStart aborts it.
    this.#controller?.abort(new Error('the client closed the connection'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#clientGone) {
      controller.abort(new Error('the client closed the connection'));
      return;
    }
    this.#controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Dispatcher.ResponseData['headers'],
  ): void {
    // 1xx answers (103 Early Hints) stay between the edge and the service, as with http.request.
    if (statusCode < 200) return;
    // Set once the head is out: should writeHead refuse a field, the failure is answered 502.
    this.response.writeHead(statusCode, forwardedResponseHeaders(headers));
    this.#status = statusCode;
    this.settle(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.response.write(chunk)) {
      controller.pause();
      this.response.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.response.end();
    this.#endSpan(this.#status, false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const code = codeOf(error);
    const timedOut = TIMED_OUT.has(code);
    if (this.#status !== undefined) {
      // The status line is out: all that is left is to cut the client off.
      this.#endSpan(timedOut ? undefined : this.#status, true);
      this.response.destroy();
      return;
    }
    this.#endSpan(undefined, true);
    if (REFUSED_LOCALLY.has(code)) {
      this.fail(error);
      return;
    }
    if (timedOut) {
      this.#answer(504, errorBody('temporarily_unavailable', 'The service did not answer in time.'));
      return;
    }
    // Envoy answers 503 when it cannot reach a service at all, 502-like when the service misbehaves.
    // A client that left first is logged 503 as before, when its departure surfaced as a reset.
    const unreachable = this.#clientGone || UNREACHABLE.has(code);
    this.logger?.warn({ err: error, upstream: this.upstreamHref }, 'upstream request failed');
    this.#answer(
      unreachable ? 503 : 502,
      unreachable
        ? errorBody('temporarily_unavailable', 'The service is unavailable.')
        : errorBody('server_error', 'The service answered incorrectly.'),
    );
  }

  #answer(status: number, body: string): void {
    if (!this.response.headersSent && !this.response.destroyed) send(this.response, status, body);
    this.settle(status);
  }

  #endSpan(status: number | undefined, failed: boolean): void {
    if (this.#spanEnded) return;
    this.#spanEnded = true;
    if (status !== undefined) this.span.setAttribute('http.response.status_code', status);
    if (failed || (status ?? 0) >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const files = await readTlsFiles(options.tls);
  const requestDuration = metrics
    .getMeter(INSTRUMENTATION_SCOPE)
    .createHistogram('http.server.request.duration', {
      description: 'Requests handled by the local edge, by upstream service.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: {
        explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      },
    });
  const routes = options.routes ?? EDGE_ROUTES;
  const logger = options.logger;
  const routeTimeout = (options.routeTimeoutSeconds ?? EDGE_LIMITS.routeTimeoutSeconds) * 1000;
  const upstreamIdleTimeout = options.upstreamIdleTimeoutMs ?? UPSTREAM_IDLE_TIMEOUT_MS;

  // undici rather than http.request with an http.Agent: a Node https-to-http proxy measured ~130 µs of
  // CPU per request with undici's Pool against ~250 µs with http.request on the benchmark machine, and
  // this process fronts every request of the benchmark. One pool per service origin, connecting lazily.
  const pools = new Map<string, Pool>();
  const upstreamAt = (url: URL): Upstream => {
    let pool = pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, {
        connections: 128,
        // The service's Keep-Alive: timeout hint, less 2 s, wins when shorter.
        keepAliveTimeout: upstreamIdleTimeout,
        keepAliveMaxTimeout: upstreamIdleTimeout,
        // The route timeout: for the response to start, then between two pieces of its body.
        headersTimeout: routeTimeout,
        bodyTimeout: routeTimeout,
      });
      pools.set(url.origin, pool);
    }
    return {
      pool,
      href: url.href,
      origin: url.origin,
      hostname: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
  };
  const upstreams: Readonly<Record<UpstreamService, Upstream>> = {
    registration: upstreamAt(options.upstreams.registration),
    authorization: upstreamAt(options.upstreams.authorization),
    token: upstreamAt(options.upstreams.token),
    revocation: upstreamAt(options.upstreams.revocation),
  };

  const server = https.createServer(
    {
      ...files,
      ...SECURE_CONTEXT_OPTIONS,
      // Ask for a certificate, validate it against `ca`, but let connections without one through:
      // PSU browsers have none. The verdict is enforced in 'secureConnection' below.
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      maxHeaderSize: EDGE_LIMITS.maxRequestHeadersKb * 1024,
      headersTimeout: EDGE_LIMITS.requestHeadersTimeoutSeconds * 1000,
      requestTimeout: EDGE_LIMITS.requestTimeoutSeconds * 1000,
      keepAliveTimeout: EDGE_LIMITS.idleTimeoutSeconds * 1000,
    },
    (request, response) => {
      const span = serverSpanOf(request);
      const started = performance.now();
      response.once('close', () => {
        const attributes: Attributes = {
          'http.request.method': request.method ?? 'GET',
          'http.response.status_code': response.statusCode,
          'psd2.upstream': upstreamOf.get(request) ?? 'none',
        };
        requestDuration.record((performance.now() - started) / 1000, attributes);
        span.setAttributes(attributes);
        if (response.statusCode >= 500 || !response.writableFinished)
          span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      handle(request, response, span).catch((error: unknown) => {
        logger?.error({ err: error }, 'local edge failed to handle a request');
        if (!response.headersSent) send(response, 500, errorBody('server_error', 'The edge failed.'));
        else response.destroy();
      });
    },
  );
  server.maxHeadersCount = 100;

  // Envoy fails the handshake when a presented client certificate does not validate (expired, unknown
  // CA...), even with require_client_certificate: false. Node cannot fail the handshake itself, so the
  // connection is closed the moment it completes, before any request on it is read. Registered first,
  // ahead of the HTTP parser's own listener.
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    // Envoy's TLS context allows no renegotiation; a client must not swap certificates mid-connection.
    socket.disableRenegotiation();
    if (socket.getPeerX509Certificate() !== undefined && !socket.authorized) {
      logger?.info(
        { reason: String(socket.authorizationError), remote_address: socket.remoteAddress },
        'client certificate refused',
      );
      socket.destroy();
    }
  });

  /** The service a request was routed to, for the span and the duration metric. */
  const upstreamOf = new WeakMap<http.IncomingMessage, UpstreamService>();

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    span: Span,
  ): Promise<void> {
    const spanContext = span.spanContext();
    const traced = isSpanContextValid(spanContext);
    const started = process.hrtime.bigint();
    const socket = request.socket as TLSSocket;
    const identity = connectionIdentity(socket);
    if (identity.refused) {
      // Unreachable after the secureConnection check; kept so that no path forwards an unverified certificate.
      socket.destroy();
      return;
    }
    const requestId = singleHeader(request.headers['x-request-id']) ?? randomUUID();
    const target = normalisedTarget(request.url ?? '');
    const log = (status: number, service?: UpstreamService) =>
      logger?.info(
        {
          request_id: requestId,
          ...(traced ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {}),
          traceparent: singleHeader(request.headers.traceparent),
          method: request.method,
          path: target?.path,
          status,
          upstream: service,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'edge request',
      );

    // Envoy: headers_with_underscores_action REJECT_REQUEST; escaped slashes refused.
    if (target === undefined || hasUnderscoreName(request.rawHeaders)) {
      send(response, 400, errorBody('invalid_request', 'Malformed request.'));
      log(400);
      return;
    }
    const route = routeFor(target.path, routes);
    if (route === undefined) {
      send(response, 404, NOT_FOUND_BODY);
      log(404);
      return;
    }

    const body = await readBody(request);
    if (body === undefined) {
      send(response, 413, errorBody('invalid_request', 'Request body too large.'), { connection: 'close' });
      log(413, route.service);
      return;
    }

    upstreamOf.set(request, route.service);
    const listed = connectionOptions(request.headers.connection);
    const headers: Record<string, string | string[]> = {};
    for (const name of Object.keys(request.headers)) {
      const value = request.headers[name];
      if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name)) continue;
      // Traced, the edge's client span continues the trace upstream (forward() writes its context): the
      // client's own trace headers must not travel alongside. Untraced, they are passed on as they came.
      if (traced && (name === 'traceparent' || name === 'tracestate')) continue;
      // SANITIZE_SET: whatever XFCC the client sent is discarded; x-envoy-* is internal to the edge.
      if (name === 'x-forwarded-client-cert' || name.startsWith('x-envoy-') || name === 'content-length')
        continue;
      // Node's server has already answered 100 Continue and the body is read; undici refuses the field.
      if (name === 'expect') continue;
      headers[name] = value;
    }
    const xfcc = identity.element;
    if (xfcc !== undefined) headers['x-forwarded-client-cert'] = xfcc;
    const forwardedFor = singleHeader(request.headers['x-forwarded-for']);
    const remote = socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = forwardedFor === undefined ? remote : `${forwardedFor}, ${remote}`;
    headers['x-forwarded-proto'] = 'https';
    headers['x-request-id'] = requestId;
    if (body.length > 0 || request.method === 'POST' || request.method === 'PUT') {
      headers['content-length'] = String(body.length);
    }

    const status = await forward(
      upstreams[route.service],
      target,
      request.method ?? 'GET',
      headers,
      body,
      response,
      span,
    );
    log(status, route.service);
  }

  /** Envoy's buffer filter: the whole body is read first, and refused above the limit before any upstream work. */
  function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
    const limit = EDGE_LIMITS.maxRequestBodyBytes;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          request.removeAllListeners('data');
          request.resume();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
      // A client that hangs up mid-body emits neither 'end' nor always 'error'.
      request.on('close', () => {
        if (!request.complete) reject(new Error('client closed the connection during the request body'));
      });
    });
  }

  function forward(
    upstream: Upstream,
    target: Target,
    method: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
    response: http.ServerResponse,
    parent: Span,
  ): Promise<number> {
    const clientSpan = edgeTracer().startSpan(
      method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': upstream.hostname,
          'server.port': upstream.port,
          'url.full': `${upstream.origin}${target.path}`,
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    propagation.inject(trace.setSpan(ROOT_CONTEXT, clientSpan), headers);
    return new Promise((resolve, reject) => {
      const call = new UpstreamCall(response, clientSpan, upstream.href, logger, resolve, reject);
      // The client gave up: stop the upstream work too, and free the connection.
      response.once('close', () => {
        if (!response.writableFinished) call.cancel();
      });
      upstream.pool.dispatch(
        // reset: false keeps the connection after a HEAD too, as http.Agent did; undici would close it
        // in case a server sends a body to HEAD anyway, which Node servers do not.
        { path: `${target.path}${target.search}`, method, headers, body, reset: false },
        call,
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  let closing = false;
  const health =
    options.healthPort === undefined
      ? undefined
      : http.createServer((request, response) => {
          if (request.method === 'GET' && request.url === EDGE_HEALTH.path) {
            send(response, closing ? 503 : 200, JSON.stringify({ status: closing ? 'draining' : 'ok' }));
          } else {
            send(response, 404, NOT_FOUND_BODY);
          }
        });
  if (health !== undefined) {
    await new Promise<void>((resolve, reject) => {
      health.once('error', reject);
      health.listen(options.healthPort, options.host, () => resolve());
    });
  }
  const healthAddress = health?.address() as AddressInfo | undefined;

  return {
    url: urlOf('https', address),
    port: address.port,
    healthUrl: healthAddress === undefined ? undefined : `${urlOf('http', healthAddress)}${EDGE_HEALTH.path}`,
    async reloadTls() {
      server.setSecureContext({ ...(await readTlsFiles(options.tls)), ...SECURE_CONTEXT_OPTIONS });
      logger?.info('TLS files reloaded');
    },
    async close() {
      closing = true;
      const serverClosed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      });
      server.closeIdleConnections();
      // Calls still under way are cut rather than awaited: close() must not wait on a slow service.
      await Promise.all([serverClosed, ...[...pools.values()].map((pool) => pool.destroy())]);
      if (health !== undefined) {
        health.closeAllConnections();
        await new Promise<void>((resolve) => health.close(() => resolve()));
      }
    },
  };
}

function urlOf(scheme: string, address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function send(
  response: http.ServerResponse,
  status: number,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  response.end(body);
}
