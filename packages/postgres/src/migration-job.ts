import type { Database } from './database.js';

/** The two calls a migration Job makes on its logger (pino's, in the services). */
export interface MigrationLog {
  info(message: string): void;
  error(fields: { err: unknown }, message: string): void;
}

/**
 * The body of a migration Job (`dist/migrate.js`): applies the migrations, logs the outcome, leaves a
 * failure in the exit code for Kubernetes to retry, and closes the pool either way.
 */
export async function migrateAndClose(database: Database, log: MigrationLog, what: string): Promise<void> {
  try {
    await database.migrate();
    log.info(`${what} migrations applied`);
  } catch (error) {
    log.error({ err: error }, `${what} migrations failed`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
