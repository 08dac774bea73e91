/*
 * For tests and tools that embed the registry in-process (e.g. an end-to-end harness); the service
 * itself starts from main.ts.
 */
export { type RegistryConfig, registryConfigSchema } from './config.js';
export {
  connectPostgres,
  MIGRATIONS_FOLDER,
  openPglite,
  type PgliteOptions,
  type PostgresOptions,
  type RegistryDatabase,
} from './db/database.js';
export { type RegistryServerOptions, type RunningRegistryServer, startRegistryServer } from './server.js';
export { REGISTRY_SERVICE_NAME } from './service.js';
export { chooseServerTransport, type ServerTransport, serverCredentials } from './transport.js';
