import { fileURLToPath } from 'node:url';
import * as postgres from '@psd2/postgres';

export type { Db } from '@psd2/postgres';

/** The PSU directory's tables, on PostgreSQL or on the embedded PGlite. */
export type DirectoryDatabase = postgres.Database;

const MIGRATIONS: postgres.Migrations = {
  // The same folder from src (tests, drizzle-kit) and dist (production).
  folder: fileURLToPath(new URL('../migrations', import.meta.url)),
  // Its own bookkeeping table: the registry's migrations may live in the same schema.
  table: '__psu_directory_migrations',
  // Arbitrary, distinct from the registry's lock: replicas migrating at once take turns.
  lockId: 6_238_001,
};

export function connectPostgres(options: {
  readonly url: string;
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
  readonly onConnectionError?: (error: Error) => void;
}): DirectoryDatabase {
  return postgres.connectPostgres({
    poolSize: 5,
    ...options,
    migrations: MIGRATIONS,
    applicationName: 'psu-directory',
    // A statement stuck on a lock must not hold a PSU's sign-in for ever.
    statementTimeoutMs: 5000,
  });
}

/** `memory://` for a database that lives as long as the process, or a directory for its files. */
export function openPglite(dataDir: string): Promise<DirectoryDatabase> {
  return postgres.openPglite({ dataDir, migrations: MIGRATIONS });
}
