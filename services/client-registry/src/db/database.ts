import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { schema } from './schema.js';

/** What the store needs from either driver: node-postgres and PGlite share drizzle's PgDatabase. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface RegistryDatabase {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Applies the committed SQL migrations that have not run yet. */
  migrate(): Promise<void>;
  /** Resolves when the database answers `select 1` within the time given, rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

// The same folder from src/db (tests, drizzle-kit) and dist/db (production).
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface PostgresOptions {
  readonly url: string;
  /**
   * Where drizzle keeps its bookkeeping table. Tests pass their isolated schema, so that files
   * migrating in parallel do not share (and fight over) one `drizzle.__drizzle_migrations`.
   */
  readonly migrationsSchema?: string;
  readonly poolSize?: number;
  /** How long to wait for a connection: short, so a database that is down fails calls fast. */
  readonly connectTimeoutMs?: number;
  /** Called when an idle pooled connection breaks, e.g. because PostgreSQL went away. */
  readonly onConnectionError?: (error: Error) => void;
}

export function connectPostgres(options: PostgresOptions): RegistryDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'client-registry',
  });
  // Without a listener, an idle connection that breaks would crash the process; pg drops the
  // connection from the pool by itself.
  pool.on('error', (error) => options.onConnectionError?.(error));
  const db: Db = drizzleNodePostgres(pool, { schema });
  return {
    kind: 'postgres',
    db,
    async migrate() {
      await migrateNodePostgres(drizzleNodePostgres(pool, { schema }), {
        migrationsFolder: MIGRATIONS_FOLDER,
        ...(options.migrationsSchema === undefined ? {} : { migrationsSchema: options.migrationsSchema }),
      });
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      await pool.end();
    },
  };
}

export interface PgliteOptions {
  /** A directory for the data files, or `memory://` for a database that lives as long as the process. */
  readonly dataDir: string;
}

/** The embedded database for a laptop: real PostgreSQL compiled to WebAssembly, in this process. */
export async function openPglite(options: PgliteOptions): Promise<RegistryDatabase> {
  const client = await PGlite.create(options.dataDir);
  const pgliteDb = drizzlePglite(client, { schema });
  const db: Db = pgliteDb;
  return {
    kind: 'pglite',
    db,
    async migrate() {
      await migratePglite(pgliteDb, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      await client.close();
    },
  };
}

async function pingWithin(db: Db, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([db.execute(sql`select 1`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
