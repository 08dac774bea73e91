import { Server, type ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import type { ServerHealth } from './health.js';

export interface GrpcServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly credentials: ServerCredentials;
  /** The largest request message the service takes: its own messages are small, a large one is a mistake or an attack. */
  readonly maxReceiveMessageBytes: number;
  readonly logger: Logger;
  /** grpc.health.v1, added to the server, started once it listens and stopped first at shutdown. */
  readonly health: ServerHealth;
  /** Adds the service's own implementation(s). */
  register(server: Server): void;
  /** How long a client connection lives before the server asks it to reconnect; five minutes when absent. */
  readonly maxConnectionAgeMs?: number;
}

/*
 * Behind a headless Service, each client resolves every pod once and keeps its connections: pods
 * added by a scale-out or a rollout get no calls until clients resolve again. Ending each connection
 * after a while (GOAWAY, calls in flight finish) makes them reconnect and re-resolve.
 */
const DEFAULT_MAX_CONNECTION_AGE_MS = 5 * 60_000;
const MAX_CONNECTION_AGE_GRACE_MS = 30_000;

export interface RunningGrpcServer {
  readonly port: number;
  /**
   * Stops taking calls, lets calls in flight finish for up to `graceMs`, then cuts the rest. Health
   * goes NOT_SERVING first, so load balancers stop routing here while calls drain.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** `host:port`, with an IPv6 literal in brackets as gRPC's name syntax wants it. */
export function listenAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Builds the gRPC server (the service + grpc.health.v1), starts listening, then starts health. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    // grpc-js binds with SO_REUSEPORT by default: a second server (or a stale one) on the same port
    // would silently share its traffic. Binding must fail instead.
    'grpc.so_reuseport': 0,
    // Detects callers that vanished without closing their connection.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    'grpc.max_connection_age_ms': options.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS,
    'grpc.max_connection_age_grace_ms': MAX_CONNECTION_AGE_GRACE_MS,
  });
  options.register(server);
  options.health.addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(listenAddress(options.host, options.port), options.credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  }).catch((error: unknown) => {
    server.forceShutdown();
    throw error;
  });
  await options.health.start();

  return {
    port,
    async shutdown(graceMs) {
      options.health.stop();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          options.logger.warn({ graceMs }, 'calls still running after the grace period; cutting them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
