import type { Database } from './database.js';

/** The two calls a migration Job makes on its logger (pino's, in the services). */
export interface MigrationLog {
  info(message: string): void;
  error(fields: { err: unknown }, message: string): void;
}

/**
 * The body of a migration Job (`dist/migrate.js`): applies the migrations, logs the outcome, closes the
 * pool either way, and returns the exit code (1 on failure, for Kubernetes to retry the Job).
 */
export async function migrateAndClose(database: Database, log: MigrationLog, what: string): Promise<number> {
  try {
    await database.migrate();
    log.info(`${what} migrations applied`);
    return 0;
  } catch (error) {
    log.error({ err: error }, `${what} migrations failed`);
    return 1;
  } finally {
    await database.close();
  }
}
