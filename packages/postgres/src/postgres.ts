import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { type Database, type Db, type Migrations, pingWithin, withTimeout } from './database.js';
import { isConnectionLost } from './errors.js';

export interface PostgresOptions {
  readonly url: string;
  readonly migrations: Migrations;
  /** Names the connections in pg_stat_activity. */
  readonly applicationName: string;
  /**
   * Where drizzle keeps its bookkeeping table; by default the connection's schema (its search_path),
   * so that deployments or test runs in different schemas of one database never mistake each other's
   * migrations for their own.
   */
  readonly migrationsSchema?: string;
  /** At least 2: migrate() holds one connection for its lock while migrating on another. */
  readonly poolSize?: number;
  /** How long to wait for a connection: short, so a database that is down fails calls fast. */
  readonly connectTimeoutMs?: number;
  /** A server-side limit on every statement, so one stuck on a lock gives up. */
  readonly statementTimeoutMs?: number;
  /** Called when a pooled connection breaks, e.g. because PostgreSQL went away. */
  readonly onConnectionError?: (error: Error) => void;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** A node-postgres pool behind drizzle. */
export function connectPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: options.applicationName,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
  });
  // Without listeners, a connection that breaks would crash the process: the pool listens only while
  // a connection is idle, and a transaction holds one between its statements. pg discards a broken
  // connection when it is released; the statement running on it fails with the driver's error.
  pool.on('error', (error) => options.onConnectionError?.(error));
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error));
  });
  const nodePgDb = drizzle(pool);
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
        return await drizzle(client).transaction(work);
      } catch (error) {
        if (broken === undefined && isConnectionLost(error)) broken = asError(error);
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
        await lock.query('select pg_advisory_lock($1)', [options.migrations.lockId]);
        const migrationsSchema =
          options.migrationsSchema ??
          (await lock.query<{ schema: string }>('select current_schema() as schema')).rows[0]?.schema ??
          'public';
        await migrate(nodePgDb, {
          migrationsFolder: options.migrations.folder,
          migrationsSchema,
          ...(options.migrations.table === undefined ? {} : { migrationsTable: options.migrations.table }),
        });
      } finally {
        await lock.query('select pg_advisory_unlock($1)', [options.migrations.lockId]).catch(() => undefined);
        lock.release();
      }
    },
    ping: (timeoutMs) => pingWithin(db, timeoutMs),
    async close() {
      // A connection stuck in a statement must not hold the process past its shutdown grace.
      await withTimeout(pool.end(), 5000, 'closing the database pool').catch((error: unknown) => {
        options.onConnectionError?.(asError(error));
      });
    },
  };
}
