import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';

/*
 * PostgreSQL through node-postgres in production, PGlite (PostgreSQL in WebAssembly, in-process) on a
 * laptop, behind one drizzle query builder: the approach of services/client-registry.
 */

export type Db = PgDatabase<PgQueryResultHKT>;

export interface DirectoryDatabase {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Applies the committed SQL migrations that have not run yet. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The same folder from src (tests, drizzle-kit) and dist (production).
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));
// Its own bookkeeping table: the registry's migrations may live in the same schema.
const MIGRATIONS_TABLE = '__psu_directory_migrations';
// Arbitrary, distinct from the registry's lock: replicas migrating at once take turns.
const MIGRATION_LOCK_ID = 6_238_001;

export function connectPostgres(options: {
  readonly url: string;
  readonly poolSize?: number;
  readonly onConnectionError?: (error: Error) => void;
}): DirectoryDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    // A statement stuck on a lock must not hold a PSU's sign-in for ever.
    statement_timeout: 5000,
    application_name: 'psu-directory',
  });
  // Without a listener, a broken idle connection would crash the process.
  pool.on('error', (error) => options.onConnectionError?.(error));
  const db = drizzleNodePostgres(pool);
  return {
    kind: 'postgres',
    db,
    async migrate() {
      const lock = await pool.connect();
      try {
        await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        // The bookkeeping table goes into the connection's own schema (not drizzle's shared `drizzle`
        // schema), so that databases isolated by search_path, as the tests use, each keep their own.
        const current = await lock.query<{ schema: string }>('select current_schema() as schema');
        const schema = current.rows[0]?.schema ?? 'public';
        await migrateNodePostgres(db, {
          migrationsFolder: MIGRATIONS_FOLDER,
          migrationsTable: MIGRATIONS_TABLE,
          migrationsSchema: schema,
        });
      } finally {
        await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
        lock.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await pool.end();
    },
  };
}

/** `memory://` for a database that lives as long as the process, or a directory for its files. */
export async function openPglite(dataDir: string): Promise<DirectoryDatabase> {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client);
  return {
    kind: 'pglite',
    db,
    async migrate() {
      await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER, migrationsTable: MIGRATIONS_TABLE });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
    },
  };
}
