import type { ServerCredentials } from '@grpc/grpc-js';
import { ClientRegistryServiceService } from '@psd2/client-registry-proto';
import { type RunningGrpcServer, ServerHealth, startGrpcServer } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import type { RegistryDatabase } from './db/database.js';
import { schemaCheck } from './schema-check.js';
import { createClientRegistryService, REGISTRY_SERVICE_NAME } from './service.js';
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

export interface RunningRegistryServer extends RunningGrpcServer {
  /** grpc.health.v1: SERVING unless draining or the database's schema is behind this build. */
  readonly health: ServerHealth;
}

/** Builds the gRPC server (registry + grpc.health.v1) and starts listening. Does not own the database. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistryServer> {
  // A database that does not answer leaves health as it was: calls get UNAVAILABLE, and every replica
  // shares that database, so taking them all out of the Service would help no caller.
  const health = new ServerHealth({
    serviceName: REGISTRY_SERVICE_NAME,
    logger: options.logger,
    check: schemaCheck(options.database, options.healthIntervalMs ?? 2000),
  });
  const service = createClientRegistryService({
    store: new ClientStore(options.database),
    logger: options.logger,
    ...(options.maxCallMs === undefined ? {} : { maxCallMs: options.maxCallMs }),
  });
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    credentials: options.credentials,
    // Registry messages are small (a client's metadata with its JWKS); a large one is a mistake or an attack.
    maxReceiveMessageBytes: 1024 * 1024,
    logger: options.logger,
    health,
    register: (grpc) => grpc.addService(ClientRegistryServiceService, service),
  });
  return { ...server, health };
}
