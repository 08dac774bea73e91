import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@psd2/logging';
import { armHardExit, DRAIN_BUDGET_MS, shutdownTelemetry } from '@psd2/telemetry';
import type { Express } from 'express';
import { createEdgeOnlyServer, type EdgeTls } from './service-tls.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /**
   * HTTPS that only the edge may use (service-tls.ts), as every service runs; left out, plain HTTP
   * (the endpoint layer's own tests).
   */
  readonly edgeTls?: EdgeTls;
  /** How long in-flight requests may take to finish after SIGTERM before connections are cut (7 s). */
  readonly shutdownTimeoutMs?: number;
  /** Closes the service's own dependencies (Redis, gRPC channels) once no request is in flight. */
  readonly onClose?: () => Promise<void>;
  /** Installs SIGTERM/SIGINT handlers that shut down and exit; off in tests. */
  readonly handleSignals?: boolean;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, closes dependencies. Idempotent. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * The request header section a service accepts. The edge lets a client send up to 60 KiB of headers
 * (EDGE_LIMITS.maxRequestHeadersKb) and then adds its own: x-forwarded-client-cert (Hash, Cert and
 * Subject: about 1.5 times the certificate's DER, so some 15 KiB for an unusually large 10 KiB QWAC),
 * x-forwarded-for, x-request-id, traceparent. Node's default (16 KiB) would answer 431 to requests the
 * edge has accepted.
 */
export const SERVICE_MAX_HEADER_BYTES = 96 * 1024;

export async function startHttpServer(app: Express, options: ServerOptions): Promise<RunningServer> {
  const server: Server =
    options.edgeTls === undefined
      ? createServer({ maxHeaderSize: SERVICE_MAX_HEADER_BYTES }, app)
      : createEdgeOnlyServer(app, options.edgeTls, {
          maxHeaderSize: SERVICE_MAX_HEADER_BYTES,
          logger: options.logger,
        });
  server.listen(options.port, options.host);
  // Longer than the edge's idle timeout, so the edge (not the service) closes idle keep-alive connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const scheme = options.edgeTls === undefined ? 'http' : 'https';
  const url = `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  options.logger.info({ url }, 'listening');

  // Drain, then telemetry's flush, then the exit: together within the 10 s after SIGTERM.
  const drainMs = options.shutdownTimeoutMs ?? DRAIN_BUDGET_MS;
  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown'): Promise<void> => {
    stopping ??= (async () => {
      options.logger.info({ reason }, 'shutting down: draining in-flight requests');
      app.locals.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() only drops connections idle right now; a keep-alive connection becomes idle again
      // after its in-flight response, so keep sweeping until the server has closed.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      const timeout = setTimeout(() => {
        options.logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, drainMs);
      timeout.unref();
      await closed;
      clearTimeout(timeout);
      clearInterval(sweep);
      await options
        .onClose?.()
        .catch((error: unknown) => options.logger.error({ err: error }, 'closing dependencies failed'));
      options.logger.info('stopped');
    })();
    return stopping;
  };

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      armHardExit(drainMs, () => options.logger.error('shutdown over its budget: exiting now'));
      void shutdown(signal)
        .then(() => shutdownTelemetry())
        .finally(() => {
          options.logger.flush();
          process.exit(0);
        });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, url, shutdown };
}
