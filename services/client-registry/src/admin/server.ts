import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { OperatorServiceService } from '@psd2/admin-proto';
import { type RunningGrpcServer, ServerHealth, startGrpcServer } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import type { TokenStore } from '@psd2/token-store';
import type { RegistryDatabase } from '../db/database.js';
import { schemaCheck } from '../schema-check.js';
import { createSuspensions } from '../suspensions.js';
import type { AdminTlsFiles } from './config.js';
import { ADMIN_SERVICE_NAME, createOperatorService } from './service.js';

/*
 * The operators' admin API on its own port: mutual TLS, a client certificate from the operator CA
 * REQUIRED at the handshake (an untrusted or missing certificate never reaches a handler). Its health
 * is the registry's own (draining, schema behind); the calls that need the token store or the database
 * answer UNAVAILABLE while it is down, and
 * the registry's main API never depends on it.
 */

export interface AdminServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly tls: AdminTlsFiles;
  readonly database: RegistryDatabase;
  readonly tokenStore: TokenStore;
  readonly logger: Logger;
  readonly healthIntervalMs?: number;
  readonly maxCallMs?: number;
}

export function adminServerCredentials(tls: AdminTlsFiles): ServerCredentials {
  return ServerCredentials.createSsl(
    readFileSync(tls.clientCaFile),
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    true,
  );
}

export async function startAdminServer(options: AdminServerOptions): Promise<RunningGrpcServer> {
  const logger = options.logger.child({ api: 'admin' });
  // Same rule as the registry's API: health is the replica's own state, not its shared database's.
  const health = new ServerHealth({
    serviceName: ADMIN_SERVICE_NAME,
    logger,
    check: schemaCheck(options.database, options.healthIntervalMs ?? 2000),
  });
  const service = createOperatorService({
    database: options.database,
    tokenStore: options.tokenStore,
    suspensions: createSuspensions({ database: options.database, tokenStore: options.tokenStore, logger }),
    logger,
    ...(options.maxCallMs === undefined ? {} : { maxCallMs: options.maxCallMs }),
  });
  return startGrpcServer({
    host: options.host,
    port: options.port,
    credentials: adminServerCredentials(options.tls),
    // Operator requests are a few identifiers and a reason.
    maxReceiveMessageBytes: 64 * 1024,
    logger,
    health,
    register: (grpc) => grpc.addService(OperatorServiceService, service),
  });
}
