import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/*
 * No relational schema is passed to drizzle: its users build queries with the query builder only, and
 * a per-transaction drizzle instance (see connectPostgres) then costs next to nothing.
 */

/** What a store needs from either driver: node-postgres and PGlite share drizzle's PgDatabase. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** For single statements outside a transaction. */
  readonly db: Db;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if not. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies the committed SQL migrations that have not run yet; concurrent callers take turns. */
  migrate(): Promise<void>;
  /** Resolves when the database answers `select 1` (within `timeoutMs` when given), rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** One component's migrations: each component keeps its own bookkeeping and its own lock. */
export interface Migrations {
  /** The folder drizzle-kit generated (SQL files and meta/_journal.json). */
  readonly folder: string;
  /** drizzle's bookkeeping table; a distinct name lets two components migrate one schema. */
  readonly table?: string;
  /** The PostgreSQL advisory lock key every process migrating this component shares. */
  readonly lockId: number;
}

export function pingWithin(db: Db, timeoutMs: number | undefined): Promise<void> {
  const answered = db.execute(sql`select 1`).then(() => undefined);
  return timeoutMs === undefined
    ? answered
    : withTimeout(answered, timeoutMs, 'the database answering select 1');
}

export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
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
