import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, jest } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { openPglite } from './pglite.js';
import { firstRow, fixtureMigrations, migrationRuns } from './test-support.js';

/* The embedded database: the same contract as PostgreSQL's, in this process. */

// initdb of a data directory in WebAssembly takes 10–25 s on a busy 2-core CI runner; opening it twice
// overran the default 30 s once, so this file allows more.
jest.setTimeout(120_000);

const dataRoot = mkdtempSync(join(tmpdir(), 'psd2-pglite-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

it('applies each migration once when callers migrate at the same time', async () => {
  const database = await openPglite({ dataDir: 'memory://', migrations: fixtureMigrations() });
  try {
    await Promise.all([1, 2, 3, 4].map(() => database.migrate()));
    expect(await migrationRuns(database.db)).toBe(1);
    await database.transaction((tx) => tx.execute(sql`insert into migration_runs default values`));
    expect(await migrationRuns(database.db)).toBe(2);
    await expect(database.ping(1000)).resolves.toBeUndefined();
  } finally {
    await database.close();
  }
});

it('creates a nested data directory and remembers what ran when opened again', async () => {
  const dataDir = join(dataRoot, 'nested', 'registry');
  const migrations = fixtureMigrations('__fixture_migrations');
  const first = await openPglite({ dataDir, migrations });
  await first.migrate();
  await first.close();
  const second = await openPglite({ dataDir, migrations });
  try {
    await second.migrate();
    expect(await migrationRuns(second.db)).toBe(1);
    const bookkeeping = sql`select count(*)::int as applied from drizzle.__fixture_migrations`;
    expect(await firstRow(second.db, bookkeeping)).toEqual({ applied: 2 });
  } finally {
    await second.close();
  }
});
