import { fileURLToPath } from 'node:url';
import * as postgres from '@psd2/postgres';

export type { Db, Tx } from '@psd2/postgres';

/** The registry's tables, on PostgreSQL or on the embedded PGlite. */
export type RegistryDatabase = postgres.Database;

// The same folder from src/db (tests, drizzle-kit) and dist/db (production).
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

// The lock key is an arbitrary constant every registry process shares; the bookkeeping table is
// drizzle's default, as it has been since the first migration.
const MIGRATIONS: postgres.Migrations = { folder: MIGRATIONS_FOLDER, lockId: 7_592_001 };

export type PostgresOptions = Omit<postgres.PostgresOptions, 'migrations' | 'applicationName'>;

export function connectPostgres(options: PostgresOptions): RegistryDatabase {
  return postgres.connectPostgres({ ...options, migrations: MIGRATIONS, applicationName: 'client-registry' });
}

export type PgliteOptions = Omit<postgres.PgliteOptions, 'migrations'>;

export function openPglite(options: PgliteOptions): Promise<RegistryDatabase> {
  return postgres.openPglite({ ...options, migrations: MIGRATIONS });
}
