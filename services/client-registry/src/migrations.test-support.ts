import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from './db/database.js';

/* For tests of an older schema: a database migrated only up to some committed migration. */

interface Journal {
  readonly entries: readonly { readonly tag: string }[];
}

/** A folder holding the committed migrations up to `tag`, as drizzle's migrator reads them. */
export function migrationsUpTo(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'registry-migrations-'));
  mkdirSync(join(folder, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as Journal;
  const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag) + 1);
  for (const { tag: name } of entries)
    cpSync(join(MIGRATIONS_FOLDER, `${name}.sql`), join(folder, `${name}.sql`));
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return folder;
}

/** Applies the migrations up to `tag` to `schema`, then runs `then` on the same pool before closing it. */
export async function migrateUpTo(
  url: string,
  schema: string,
  tag: string,
  then: (pool: pg.Pool) => Promise<void> = async () => undefined,
): Promise<void> {
  const folder = migrationsUpTo(tag);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(drizzle(pool), { migrationsFolder: folder, migrationsSchema: schema });
    await then(pool);
  } finally {
    await pool.end();
    rmSync(folder, { recursive: true, force: true });
  }
}
