import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Migrations, Tx } from './database.js';

/*
 * Two migrations written as drizzle-kit would: the second sleeps, then records that it ran, so a test
 * can count how often concurrent callers applied it. Written at run time, so no fixture ships.
 */
const folder = mkdtempSync(join(tmpdir(), 'psd2-migrations-'));
mkdirSync(join(folder, 'meta'));
const migrations = {
  '0000_runs': 'CREATE TABLE "migration_runs" ("id" serial PRIMARY KEY);',
  '0001_slow':
    'SELECT pg_sleep(0.2);\n--> statement-breakpoint\nINSERT INTO "migration_runs" DEFAULT VALUES;',
};
const entries = Object.keys(migrations).map((tag, idx) => ({
  idx,
  version: '7',
  when: 1_795_552_243_304 + idx,
  tag,
  breakpoints: true,
}));
writeFileSync(
  join(folder, 'meta', '_journal.json'),
  JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
);
for (const [tag, text] of Object.entries(migrations)) writeFileSync(join(folder, `${tag}.sql`), text);

export const fixtureMigrations = (table?: string): Migrations => ({
  folder,
  lockId: 9_100_001,
  ...(table === undefined ? {} : { table }),
});

/** The first row of a query; both drivers answer with `rows`, which drizzle's shared type leaves unknown. */
export async function firstRow<Row>(db: Db | Tx, query: SQL): Promise<Row | undefined> {
  const result = (await db.execute(query)) as { rows: Row[] };
  return result.rows[0];
}

/** How many times the fixture's second migration ran. */
export async function migrationRuns(db: Db): Promise<number> {
  const row = await firstRow<{ runs: number }>(db, sql`select count(*)::int as runs from migration_runs`);
  return row?.runs ?? -1;
}
