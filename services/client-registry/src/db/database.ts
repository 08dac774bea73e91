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
import { classifyDatabaseError } from '../errors.js';

/*
 * No relational schema is passed to drizzle: the registry uses the query builder only, and a
 * per-transaction drizzle instance (see connectPostgres) then costs next to nothing.
 */

/** What the store needs from either driver: node-postgres and PGlite share drizzle's PgDatabase. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface RegistryDatabase {
  readonly kind: 'postgres' | 'pglite';
  /** For single statements outside a transaction (probes, tests). */
  readonly db: Db;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if not. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies the committed SQL migrations that have not run yet. */
  migrate(): Promise<void>;
  /** Resolves when the database answers `select 1` within the time given, rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

// The same folder from src/db (tests, drizzle-kit) and dist/db (production).
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

// An arbitrary constant shared by every registry process: the key of the migration lock.
const MIGRATION_LOCK_ID = 7_592_001;

export interface PostgresOptions {
  readonly url: string;
  /**
   * Where drizzle keeps its bookkeeping table. Tests pass their isolated schema, so that files
   * migrating in parallel do not share (and fight over) one `drizzle.__drizzle_migrations`.
   */
  readonly migrationsSchema?: string;
  /** At least 2: migrate() holds one connection for its lock while migrating on another. */
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
  // Without listeners, a connection that breaks would crash the process: the pool listens only while
  // a connection is idle, and a transaction holds one between its statements. pg discards a broken
  // connection when it is released; the statement running on it fails and is reported as UNAVAILABLE.
  pool.on('error', (error) => options.onConnectionError?.(error));
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error));
  });
  const nodePgDb = drizzleNodePostgres(pool);
  const db: Db = nodePgDb;
  return {
    kind: 'postgres',
    db,
    // Not drizzle's own pool transaction: when BEGIN fails (the database just went away) it never
    // gives the connection back, and a few such failures exhaust the pool for good. Here the
    // connection is always released, and destroyed rather than reused when it broke.
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        return await drizzleNodePostgres(client).transaction(work);
      } catch (error) {
        if (broken === undefined && classifyDatabaseError(error)?.code === 'unavailable') {
          broken = error instanceof Error ? error : new Error(String(error));
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async migrate() {
      // Replicas started with MIGRATE_ON_START, or a Job retried while the first still runs, must not
      // apply the same migration twice: a session-level advisory lock makes them take turns.
      const lock = await pool.connect();
      try {
        await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        // The bookkeeping lives beside the tables (the connection's schema, from its search_path), so
        // two deployments or test runs in different schemas of one database never mistake each
        // other's migrations for their own.
        const migrationsSchema =
          options.migrationsSchema ??
          (await lock.query<{ schema: string }>('select current_schema() as schema')).rows[0]?.schema ??
          'public';
        await migrateNodePostgres(nodePgDb, { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema });
      } finally {
        await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
        lock.release();
      }
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      // A connection stuck in a statement must not hold the process past its shutdown grace.
      await withTimeout(pool.end(), 5000, 'closing the database pool').catch((error: unknown) => {
        options.onConnectionError?.(error instanceof Error ? error : new Error(String(error)));
      });
    },
  };
}

export interface PgliteOptions {
  /** A directory for the data files, or `memory://` for a database that lives as long as the process. */
  readonly dataDir: string;
}

/** The embedded database for a laptop: real PostgreSQL compiled to WebAssembly, in this process. */
export async function openPglite(options: PgliteOptions): Promise<RegistryDatabase> {
  // PGlite creates the data directory itself but not its parents (e.g. `.local/pglite/...`).
  if (!options.dataDir.includes('://')) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir);
  const pgliteDb = drizzlePglite(client);
  const db: Db = pgliteDb;
  return {
    kind: 'pglite',
    db,
    // PGlite runs one transaction at a time, which serialises concurrent calls like row locks would.
    transaction: (work) => pgliteDb.transaction(work),
    async migrate() {
      await migratePglite(pgliteDb, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      await client.close();
    },
  };
}

function pingWithin(db: Db, timeoutMs: number): Promise<void> {
  return withTimeout(
    db.execute(sql`select 1`).then(() => undefined),
    timeoutMs,
    'the database answering select 1',
  );
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
