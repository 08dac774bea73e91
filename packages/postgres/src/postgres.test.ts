import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIsolatedSchema, failureOf, freePort, type IsolatedSchema } from '@psd2/testing';
import { sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { isConnectionLost, sqlStateOf } from './errors.js';
import { connectPostgres, type PostgresOptions } from './postgres.js';
import { firstRow, fixtureMigrations, migrationRuns } from './test-support.js';

/* Against the real PostgreSQL, each test in a schema of its own. */

const schemas: IsolatedSchema[] = [];
const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((database) => database.close()));
  await Promise.all(schemas.map((schema) => schema.drop()));
});

async function isolatedSchema(): Promise<IsolatedSchema> {
  const schema = await createIsolatedSchema('postgres');
  schemas.push(schema);
  return schema;
}

function open(url: string, options: Partial<PostgresOptions> = {}): Database {
  const database = connectPostgres({
    url,
    migrations: fixtureMigrations(),
    applicationName: 'postgres-test',
    poolSize: 2,
    ...options,
  });
  opened.push(database);
  return database;
}

describe('migrate', () => {
  it('applies each migration once when replicas migrate at the same time', async () => {
    const { url } = await isolatedSchema();
    const replicas = [1, 2, 3, 4].map(() => open(url));
    await Promise.all(replicas.map((replica) => replica.migrate()));
    await replicas[0]?.migrate();
    expect(await migrationRuns(open(url).db)).toBe(1);
  });

  it("keeps the bookkeeping in the connection's schema, in the table named", async () => {
    const { url, schema } = await isolatedSchema();
    const database = open(url, { migrations: fixtureMigrations('__fixture_migrations') });
    await database.migrate();
    const bookkeeping = sql`select count(*)::int as applied from ${sql.identifier(schema)}.__fixture_migrations`;
    expect(await firstRow(database.db, bookkeeping)).toEqual({ applied: 2 });
  });
});

describe('transaction', () => {
  let url: string;
  beforeAll(async () => {
    url = (await isolatedSchema()).url;
    await open(url).migrate();
  });

  it('commits what resolves and rolls back what rejects', async () => {
    const database = open(url);
    await database.transaction((tx) => tx.execute(sql`insert into migration_runs default values`));
    const failed = await failureOf(
      database.transaction(async (tx) => {
        await tx.execute(sql`insert into migration_runs default values`);
        throw new Error('changed my mind');
      }),
    );
    expect(failed).toEqual(new Error('changed my mind'));
    expect(await migrationRuns(database.db)).toBe(2);
  });

  it('throws a broken connection away rather than hand it out again', async () => {
    const database = open(url, { poolSize: 1, onConnectionError: () => undefined });
    const failure = await failureOf(
      database.transaction((tx) => tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`)),
    );
    expect(isConnectionLost(failure)).toBe(true);
    // The pool's only connection was the broken one: the next transaction needs a fresh one.
    expect(await database.transaction((tx) => firstRow(tx, sql`select 1 as one`))).toEqual({ one: 1 });
  });

  it('stops a statement at the statement timeout and keeps the connection', async () => {
    const database = open(url, { poolSize: 1, statementTimeoutMs: 100 });
    const failure = await failureOf(database.transaction((tx) => tx.execute(sql`select pg_sleep(2)`)));
    expect(sqlStateOf(failure)).toBe('57014');
    expect(isConnectionLost(failure)).toBe(false);
    await expect(database.ping(1000)).resolves.toBeUndefined();
  });
});

describe('an unreachable database', () => {
  it('fails ping, migrate and transactions with an error that says the database is unavailable', async () => {
    const database = open(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`, { poolSize: 1 });
    for (const attempt of [
      () => database.ping(1000),
      () => database.migrate(),
      () => database.transaction((tx) => tx.execute(sql`select 1`)),
      () => database.transaction((tx) => tx.execute(sql`select 1`)),
    ]) {
      expect(isConnectionLost(await failureOf(attempt()))).toBe(true);
    }
  });
});

describe('ping', () => {
  it('gives up at its timeout', async () => {
    const database = open((await isolatedSchema()).url, { poolSize: 1 });
    const busy = database.transaction((tx) => tx.execute(sql`select pg_sleep(0.5)`));
    const failure = await failureOf(database.ping(50));
    expect(String(failure)).toContain('timed out after 50 ms');
    await busy;
  });
});
