import https from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { EDGE_LIMITS, type EdgeListener, type UpstreamService } from '@psd2/edge-config';
import type { Logger } from '@psd2/logging';
import { watchCrlFile } from './client-crl.js';
import { startHealthListener } from './health-listener.js';
import { closed, listen, urlOf } from './listening.js';
import { createRequestHandler } from './request-handler.js';
import {
  CLIENT_CERTIFICATE_REQUESTED,
  refuseUnverifiedCertificates,
  serverSecureContext,
  type TlsFiles,
} from './server-tls.js';
import {
  createUpstreams,
  readUpstreamTls,
  UPSTREAM_IDLE_TIMEOUT_MS,
  type UpstreamTlsFiles,
} from './upstream-pools.js';

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
  readonly tls: TlsFiles;
  /** Base URL of each service, e.g. https://127.0.0.1:8081. */
  readonly upstreams: Readonly<Record<UpstreamService, URL>>;
  /** The edge's client certificate for https:// services and the CA of theirs (upstream-pools.ts). */
  readonly upstreamTls?: UpstreamTlsFiles;
  readonly logger?: Logger;
  /**
   * Plain-HTTP port answering `GET /ready` (200, or 503 once closing), like envoy.yaml's health listener;
   * bound to the same host. Undefined: no health listener; 0: a free port.
   */
  readonly healthPort?: number;
  /**
   * The internal listener (envoy.yaml `edge_internal`): the same TLS and client-certificate handling
   * on its own port, serving the internal routes only (introspection, for the bank's API). Bound to the
   * same host. Undefined: none; 0: a free port.
   */
  readonly internalPort?: number;
  /** `EDGE_LIMITS.routeTimeoutSeconds` unless given (tests shorten it). */
  readonly routeTimeoutSeconds?: number;
  /** `UPSTREAM_IDLE_TIMEOUT_MS` unless given (tests shorten it). */
  readonly upstreamIdleTimeoutMs?: number;
  /** How often `tls.crlFile` is checked for a change; 1 s unless given (tests shorten it). */
  readonly crlPollIntervalMs?: number;
}

export interface LocalEdge {
  /** https://<host>:<port> as actually bound. */
  readonly url: string;
  readonly port: number;
  /** https://<host>:<port> of the internal listener, when one was asked for. */
  readonly internalUrl: string | undefined;
  /** http://<host>:<port>/ready when a health port was asked for. */
  readonly healthUrl: string | undefined;
  /**
   * Re-reads the three TLS files and applies them to new connections: a rotated server certificate or
   * CA bundle takes effect without a restart (main.ts calls it on SIGHUP; a changed CRL file calls it
   * by itself). Rejects, keeping the context in force, when a file is unreadable or broken.
   */
  reloadTls(): Promise<void>;
  /** Stops accepting, closes idle and upstream connections, resolves once the server has closed. */
  close(): Promise<void>;
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const { logger } = options;
  const secureContext = await serverSecureContext(options.tls);
  const upstreamTls =
    options.upstreamTls === undefined ? undefined : await readUpstreamTls(options.upstreamTls);
  const upstreams = createUpstreams(
    options.upstreams,
    {
      routeTimeoutMs: (options.routeTimeoutSeconds ?? EDGE_LIMITS.routeTimeoutSeconds) * 1000,
      idleTimeoutMs: options.upstreamIdleTimeoutMs ?? UPSTREAM_IDLE_TIMEOUT_MS,
    },
    upstreamTls,
  );
  const servers: https.Server[] = [];
  const serve = (listener: EdgeListener) => {
    const server = createHttpsServer(secureContext, createRequestHandler(upstreams, logger, listener));
    refuseUnverifiedCertificates(server, (socket) =>
      logger?.info(
        { reason: String(socket.authorizationError), remote_address: socket.remoteAddress, listener },
        'client certificate refused',
      ),
    );
    servers.push(server);
    return server;
  };
  const server = serve('public');
  const internalServer = options.internalPort === undefined ? undefined : serve('internal');
  const reloadTls = async () => {
    const reloaded = await serverSecureContext(options.tls);
    for (const each of servers) each.setSecureContext(reloaded);
    logger?.info('TLS files reloaded');
  };
  const { crlFile } = options.tls;
  // A QTSP's new CRL must bite without anyone sending SIGHUP: a revoked QWAC is refused within a poll.
  const stopWatching =
    crlFile === undefined
      ? () => {}
      : watchCrlFile(crlFile, options.crlPollIntervalMs ?? 1000, () => {
          reloadTls().catch((error: unknown) =>
            logger?.error({ err: error }, 'client CRL reload failed; keeping the CRLs in force'),
          );
        });
  const address = await listen(server, options.port, options.host);
  const internalAddress =
    internalServer === undefined
      ? undefined
      : await listen(internalServer, options.internalPort ?? 0, options.host);
  let closing = false;
  const health =
    options.healthPort === undefined
      ? undefined
      : await startHealthListener(options.host, options.healthPort, () => closing);

  return {
    url: urlOf('https', address),
    port: address.port,
    internalUrl: internalAddress === undefined ? undefined : urlOf('https', internalAddress),
    healthUrl: health?.url,
    reloadTls,
    async close() {
      closing = true;
      stopWatching();
      const serversClosed = servers.map((each) => closed(each));
      for (const each of servers) each.closeIdleConnections();
      await Promise.all([...serversClosed, upstreams.destroy()]);
      await health?.close();
    },
  };
}

/** The client-facing server with Envoy's connection manager limits (EDGE_LIMITS). */
function createHttpsServer(
  secureContext: SecureContextOptions,
  handler: ReturnType<typeof createRequestHandler>,
): https.Server {
  const server = https.createServer(
    {
      ...secureContext,
      ...CLIENT_CERTIFICATE_REQUESTED,
      ALPNProtocols: ['http/1.1'],
      maxHeaderSize: EDGE_LIMITS.maxRequestHeadersKb * 1024,
      headersTimeout: EDGE_LIMITS.requestHeadersTimeoutSeconds * 1000,
      requestTimeout: EDGE_LIMITS.requestTimeoutSeconds * 1000,
      keepAliveTimeout: EDGE_LIMITS.idleTimeoutSeconds * 1000,
    },
    handler,
  );
  server.maxHeadersCount = 100;
  return server;
}
