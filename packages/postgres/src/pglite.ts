import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type Database, type Db, type Migrations, pingWithin } from './database.js';

export interface PgliteOptions {
  /** A directory for the data files, or `memory://` for a database that lives as long as the process. */
  readonly dataDir: string;
  readonly migrations: Migrations;
}

/** The embedded database for a laptop: real PostgreSQL compiled to WebAssembly, in this process. */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  // PGlite creates the data directory itself but not its parents (e.g. `.local/pglite/...`).
  if (!options.dataDir.includes('://')) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir);
  const pgliteDb = drizzle(client);
  const db: Db = pgliteDb;
  // One session, so an advisory lock would not exclude anyone: calls take turns in process instead.
  // drizzle reads what has run before its transaction, and two interleaved calls would both apply it.
  let migrating: Promise<void> = Promise.resolve();
  return {
    kind: 'pglite',
    db,
    // PGlite runs one transaction at a time, which serialises concurrent calls like row locks would.
    transaction: (work) => pgliteDb.transaction(work),
    migrate() {
      // The bookkeeping stays in drizzle's default `drizzle` schema, where existing data directories have it.
      const run = () =>
        migrate(pgliteDb, {
          migrationsFolder: options.migrations.folder,
          ...(options.migrations.table === undefined ? {} : { migrationsTable: options.migrations.table }),
        });
      migrating = migrating.then(run, run);
      return migrating;
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      await client.close();
    },
  };
}
