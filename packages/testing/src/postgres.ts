import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from './dependencies.js';

export interface IsolatedSchema {
  /** The schema's name, unique to this test file's run. */
  readonly schema: string;
  /** A connection string whose sessions use the schema as their search_path. */
  readonly url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Gives one test file a schema of its own, so test files can run in parallel against one database
 * without seeing each other's rows.
 */
export async function createIsolatedSchema(label: string): Promise<IsolatedSchema> {
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const baseUrl = testDatabaseUrl();
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
