export type { Database, Db, Migrations, Tx } from './database.js';
export { errorChain, isConnectionLost, sqlStateOf } from './errors.js';
export { type MigrationLog, migrateAndClose } from './migration-job.js';
export { openPglite, type PgliteOptions } from './pglite.js';
export { connectPostgres, type PostgresOptions } from './postgres.js';
