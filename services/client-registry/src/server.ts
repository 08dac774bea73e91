import { Server, type ServerCredentials } from '@grpc/grpc-js';
import { ClientRegistryServiceService } from '@psd2/client-registry-proto';
import type { Logger } from '@psd2/logging';
import { HealthImplementation } from 'grpc-health-check';
import type { RegistryDatabase } from './db/database.js';
import { DatabaseHealth } from './health.js';
import { createClientRegistryService } from './service.js';
import { ClientStore } from './store.js';

export interface RegistryServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly credentials: ServerCredentials;
  readonly database: RegistryDatabase;
  readonly logger: Logger;
  readonly healthIntervalMs?: number;
  readonly maxCallMs?: number;
}

export interface RunningRegistryServer {
  readonly port: number;
  readonly health: DatabaseHealth;
  /**
   * Stops taking calls, lets calls in flight finish for up to `graceMs`, then cuts the rest. Health
   * goes NOT_SERVING first, so load balancers stop routing here while calls drain.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Builds the gRPC server (registry + grpc.health.v1) and starts listening. Does not own the database. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistryServer> {
  const healthService = new HealthImplementation({ '': 'NOT_SERVING' });
  const health = new DatabaseHealth({
    database: options.database,
    health: healthService,
    logger: options.logger,
    intervalMs: options.healthIntervalMs ?? 2000,
  });
  const service = createClientRegistryService({
    store: new ClientStore(options.database),
    logger: options.logger,
    ...(options.maxCallMs === undefined ? {} : { maxCallMs: options.maxCallMs }),
    onDatabaseUnavailable: () => health.reportUnavailable(),
  });

  const server = new Server({
    // grpc-js binds with SO_REUSEPORT by default: a second registry (or a stale one) on the same port
    // would silently share its traffic. Binding must fail instead.
    'grpc.so_reuseport': 0,
    // Detects callers that vanished without closing their connection.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    // Registry messages are small; a large one is a mistake or an attack.
    'grpc.max_receive_message_length': 1024 * 1024,
  });
  server.addService(ClientRegistryServiceService, service);
  healthService.addToServer(server);

  const address = options.host.includes(':')
    ? `[${options.host}]:${options.port}`
    : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, options.credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  await health.start();

  return {
    port,
    health,
    async shutdown(graceMs) {
      health.stop();
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
