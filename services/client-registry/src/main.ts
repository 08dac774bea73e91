import { loadConfig } from '@psd2/config';
import { runGrpcServer } from '@psd2/grpc-server';
import { createLogger } from '@psd2/logging';
import { registryConfigSchema } from './config.js';
import { connectPostgres, openPglite, type RegistryDatabase } from './db/database.js';
import { startRegistryServer } from './server.js';
import { chooseServerTransport, serverCredentials, TransportConfigError } from './transport.js';

/*
 * Composition root of the client registry: configuration, database, gRPC server (signals and start-up
 * failures: @psd2/grpc-server's runGrpcServer).
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

const server = await runGrpcServer({
  processName: 'client-registry',
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  start: () =>
    startRegistryServer({
      host: config.HOST,
      port: config.PORT,
      credentials: serverCredentials(transport),
      database,
      logger,
      healthIntervalMs: config.HEALTH_PROBE_INTERVAL_MS,
      maxCallMs: config.MAX_CALL_MS,
    }),
  close: () => database.close(),
});
logger.info(
  { host: config.HOST, port: server.port, transport: transport.kind, database: database.kind },
  'client registry listening',
);
