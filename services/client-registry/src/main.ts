import { loadConfig } from '@psd2/config';
import { runGrpcServer } from '@psd2/grpc-server';
import { createLogger } from '@psd2/logging';
import { timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings } from '@psd2/token-store';
import { adminTlsFiles } from './admin/config.js';
import { startAdminServer } from './admin/server.js';
import { registryConfigSchema } from './config.js';
import { connectPostgres, openPglite, type RegistryDatabase } from './db/database.js';
import { startRegistryServer } from './server.js';
import { chooseServerTransport, serverCredentials, TransportConfigError } from './transport.js';

/*
 * Composition root of the client registry: configuration, database, gRPC server (signals and start-up
 * failures: @psd2/grpc-server's runGrpcServer), and the operators' admin API on its own port when its
 * TLS files are set.
 */

const config = loadConfig(registryConfigSchema, { processName: 'client-registry' });
const logger = createLogger({ name: 'client-registry', level: config.LOG_LEVEL });

let transport: ReturnType<typeof chooseServerTransport>;
try {
  transport = chooseServerTransport({
    certFile: config.REGISTRY_TLS_CERT_FILE,
    keyFile: config.REGISTRY_TLS_KEY_FILE,
    caFile: config.REGISTRY_TLS_CA_FILE,
    plaintext: config.REGISTRY_PLAINTEXT,
  });
} catch (error) {
  if (!(error instanceof TransportConfigError)) throw error;
  process.stderr.write(`client-registry: configuration error: ${error.message}\n`);
  process.exit(78); // EX_CONFIG, as loadConfig does.
}

let database: RegistryDatabase;
if (config.DATABASE_URL === undefined) {
  database = await openPglite({ dataDir: config.PGLITE_DATA_DIR });
  // Nobody else will migrate an embedded database.
  await database.migrate();
  logger.info({ dataDir: config.PGLITE_DATA_DIR }, 'using the embedded PGlite database');
} else {
  database = connectPostgres({
    url: config.DATABASE_URL.href,
    poolSize: config.DATABASE_POOL_SIZE,
    onConnectionError: (error) => logger.warn({ err: error }, 'a pooled database connection failed'),
  });
  if (config.MIGRATE_ON_START) await database.migrate();
}

const adminTls = adminTlsFiles(config);
// Only the admin API uses the token store (suspensions, customers' grants): without it, no connection.
const tokenStore =
  adminTls === undefined ? undefined : timeTokenStoreOperations(createTokenStoreFromSettings(config));
if (adminTls === undefined) {
  logger.info(
    'admin API off: set ADMIN_TLS_CERT_FILE, ADMIN_TLS_KEY_FILE and ADMIN_CLIENT_CA_FILE to serve it',
  );
}

const server = await runGrpcServer({
  processName: 'client-registry',
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  start: async () => {
    const registry = await startRegistryServer({
      host: config.HOST,
      port: config.PORT,
      credentials: serverCredentials(transport),
      database,
      logger,
      healthIntervalMs: config.HEALTH_PROBE_INTERVAL_MS,
      maxCallMs: config.MAX_CALL_MS,
    });
    if (adminTls === undefined || tokenStore === undefined) return { ...registry, adminPort: undefined };
    const admin = await startAdminServer({
      host: config.ADMIN_HOST,
      port: config.ADMIN_PORT,
      tls: adminTls,
      database,
      tokenStore,
      logger,
      healthIntervalMs: config.HEALTH_PROBE_INTERVAL_MS,
      maxCallMs: config.MAX_CALL_MS,
    }).catch(async (error: unknown) => {
      await registry.shutdown(0);
      throw error;
    });
    return {
      port: registry.port,
      adminPort: admin.port,
      shutdown: async (graceMs: number) => {
        await Promise.all([registry.shutdown(graceMs), admin.shutdown(graceMs)]);
      },
    };
  },
  close: async () => {
    await tokenStore?.close();
    await database.close();
  },
});
if (server.adminPort !== undefined) {
  logger.info(
    { host: config.ADMIN_HOST, port: server.adminPort },
    'admin API listening (mutual TLS, operator CA)',
  );
}
logger.info(
  { host: config.HOST, port: server.port, transport: transport.kind, database: database.kind },
  'client registry listening',
);
