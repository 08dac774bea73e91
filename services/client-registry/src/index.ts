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
export {
  createSuspensions,
  type OperatorActionFilter,
  type OperatorActionInput,
  type OperatorActionRecord,
  type OperatorIdentity,
  operatorActionsFor,
  recordOperatorAction,
  type SuspendableRole,
  type SuspensionOutcome,
  type SuspensionRecord,
  type SuspensionRequest,
  type Suspensions,
  type SuspensionsDependencies,
} from './suspensions.js';
export { chooseServerTransport, type ServerTransport, serverCredentials } from './transport.js';
