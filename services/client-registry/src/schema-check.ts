import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnStateCheck } from '@psd2/grpc-server';
import { sql } from 'drizzle-orm';
import type { RegistryDatabase } from './db/database.js';
import { MIGRATIONS_FOLDER } from './db/database.js';

interface JournalEntry {
  readonly tag: string;
  /** drizzle records this as the applied migration's `created_at`. */
  readonly when: number;
}

/** The migrations this build was made with, oldest first (drizzle-kit's journal). */
export function migrationsOfThisBuild(folder: string = MIGRATIONS_FOLDER): readonly JournalEntry[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/**
 * Why this build cannot serve with a database whose last applied migration was made at `appliedAt`
 * (undefined: none applied), or undefined when its schema has every migration the build needs.
 */
export function schemaBehindReason(
  migrations: readonly JournalEntry[],
  appliedAt: number | undefined,
): string | undefined {
  const missing = migrations.filter((entry) => appliedAt === undefined || entry.when > appliedAt);
  if (missing.length === 0) return undefined;
  const applied = migrations.filter((entry) => !missing.includes(entry)).at(-1)?.tag ?? 'none';
  const needed = migrations.at(-1)?.tag ?? '';
  return `database schema is behind this build: applied ${applied}, needs ${needed}; run the migrate job (client-registry dist/migrate.js)`;
}

/** The first row of a node-postgres or PGlite result (both have `rows`). */
function firstRow(result: unknown): Record<string, unknown> | undefined {
  if (typeof result !== 'object' || result === null || !('rows' in result)) return undefined;
  const { rows } = result;
  return Array.isArray(rows) && typeof rows[0] === 'object' && rows[0] !== null
    ? (rows[0] as Record<string, unknown>)
    : undefined;
}

/**
 * The registry's own state for grpc.health.v1: its PostgreSQL database's schema against this build's
 * migrations, read from drizzle's bookkeeping table in the connection's schema (where `migrate` writes
 * it). None for the embedded PGlite, which the process migrates itself before it serves.
 */
export function schemaCheck(database: RegistryDatabase, intervalMs: number): OwnStateCheck | undefined {
  if (database.kind === 'pglite') return undefined;
  const migrations = migrationsOfThisBuild();
  return {
    what: 'database schema',
    intervalMs,
    async run() {
      // Whether the bookkeeping table exists first: reading a missing one would be an error, which
      // means "cannot tell", while a database nobody migrated is plainly behind.
      const found = firstRow(
        await database.db.execute(sql`select to_regclass('__drizzle_migrations') is not null as "exists"`),
      );
      if (found?.exists !== true) return schemaBehindReason(migrations, undefined);
      const last = firstRow(
        await database.db.execute(sql`select max(created_at) as "appliedAt" from __drizzle_migrations`),
      );
      const appliedAt = last?.appliedAt;
      return schemaBehindReason(
        migrations,
        typeof appliedAt === 'string' || typeof appliedAt === 'number' ? Number(appliedAt) : undefined,
      );
    },
  };
}
