import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type OwnRedisServer, ownRedisServer, testDatabaseUrl } from '@psd2/testing';
import { Cluster, Redis, ReplyError } from 'ioredis';
import pg from 'pg';
import { DEPENDENCY_UNAVAILABLE, isDependencyUnavailable } from './dependency.js';
import { InvalidClientError, ServerError, TemporarilyUnavailableError } from './errors.js';
import { serializeOAuthError, toOAuthError } from './serialize.js';

/*
 * The classifier against the errors the drivers really throw: Redis servers of the test's own, made
 * to refuse (full with noeviction, a replica, a replica cut from its master, a master without
 * replicas), and PostgreSQL refusing or cancelling a query.
 */

/** The error `work` rejects with; fails the test when it resolves. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const servers: OwnRedisServer[] = [];
const connections: Redis[] = [];

async function server(args: string[]): Promise<{ redis: Redis; server: OwnRedisServer }> {
  const started = await ownRedisServer({ args });
  servers.push(started);
  const redis = new Redis(started.url, { maxRetriesPerRequest: 0 });
  connections.push(redis);
  return { redis, server: started };
}

afterAll(async () => {
  for (const redis of connections) redis.disconnect();
  await Promise.all(servers.map((started) => started.stop()));
});

describe('isDependencyUnavailable: Redis', () => {
  let deadMasterPort: number;
  beforeAll(async () => {
    deadMasterPort = await freePort();
  });

  it('an OOM reply of a full Redis with noeviction', async () => {
    const { redis } = await server(['--maxmemory', '1mb', '--maxmemory-policy', 'noeviction']);
    const error = await failure(async () => {
      for (let index = 0; index < 10_000; index++) await redis.set(`k${index}`, 'x'.repeat(10_000));
    });
    expect(error).toBeInstanceOf(ReplyError);
    expect(String((error as Error).message)).toMatch(/^OOM/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('READONLY from a replica', async () => {
    const { redis } = await server(['--replicaof', '127.0.0.1', String(deadMasterPort)]);
    const error = await failure(() => redis.set('k', 'v'));
    expect(String((error as Error).message)).toMatch(/^READONLY/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('MASTERDOWN from a replica cut from its master that does not serve stale data', async () => {
    const { redis } = await server([
      '--replicaof',
      '127.0.0.1',
      String(deadMasterPort),
      '--replica-serve-stale-data',
      'no',
    ]);
    const error = await failure(() => redis.get('k'));
    expect(String((error as Error).message)).toMatch(/^MASTERDOWN/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('NOREPLICAS from a master that must write to a replica it does not have', async () => {
    const { redis } = await server(['--min-replicas-to-write', '1']);
    const error = await failure(() => redis.set('k', 'v'));
    expect(String((error as Error).message)).toMatch(/^NOREPLICAS/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('BUSY while a script runs past busy-reply-threshold', async () => {
    const { redis, server: started } = await server(['--busy-reply-threshold', '50']);
    const blocker = new Redis(started.url, { maxRetriesPerRequest: 0 });
    const looping = blocker.eval('while true do end', 0).catch(() => undefined);
    try {
      const deadline = Date.now() + 5000;
      let error: unknown;
      while (Date.now() < deadline) {
        error = await failure(() => redis.get('k')).catch(() => undefined);
        if (error !== undefined) break;
      }
      expect(String((error as Error).message)).toMatch(/^BUSY/);
      expect(isDependencyUnavailable(error)).toBe(true);
    } finally {
      await redis.script('KILL').catch(() => undefined);
      await looping;
      blocker.disconnect();
    }
  });

  it.each([
    'LOADING Redis is loading the dataset in memory',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'CLUSTERDOWN The cluster is down',
    'MOVED 1554 127.0.0.1:7102',
  ])('the reply %s', (message) => {
    expect(isDependencyUnavailable(new ReplyError(message))).toBe(true);
  });

  it('a Redis Cluster client with no slot map or no reachable node', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: deadMasterPort }], {
      enableOfflineQueue: false,
      clusterRetryStrategy: () => null,
    });
    cluster.on('error', () => undefined);
    const error = await failure(() => cluster.get('k'));
    cluster.disconnect();
    expect(String((error as Error).message)).toMatch(/Cluster isn't ready/);
    expect(isDependencyUnavailable(error)).toBe(true);
    expect(isDependencyUnavailable(new Error('None of startup nodes is available'))).toBe(true);
  });

  it('a Redis that cannot be reached', async () => {
    const redis = new Redis(`redis://127.0.0.1:${deadMasterPort}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const error = await failure(() => redis.get('k'));
    redis.disconnect();
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('a command past commandTimeout', async () => {
    const { server: started } = await server(['--enable-debug-command', 'yes']);
    const slow = new Redis(started.url, { commandTimeout: 20, maxRetriesPerRequest: 0 });
    const error = await failure(() => slow.call('DEBUG', 'SLEEP', '0.3'));
    slow.disconnect();
    expect(String((error as Error).message)).toMatch(/timed out/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('is false for replies that mean a bug: WRONGTYPE, an unknown command, a script error', async () => {
    const { redis } = await server([]);
    await redis.set('string', 'v');
    const wrongType = await failure(() => redis.lpush('string', 'x'));
    const unknown = await failure(() => redis.call('NOSUCHCOMMAND'));
    const script = await failure(() => redis.eval('return redis.call("nosuch")', 0));
    for (const error of [wrongType, unknown, script]) {
      expect(error).toBeInstanceOf(ReplyError);
      expect(isDependencyUnavailable(error)).toBe(false);
    }
  });
});

describe('isDependencyUnavailable: PostgreSQL', () => {
  const client = () => new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 2000 });

  it('a server that cannot be reached (ECONNREFUSED)', async () => {
    const unreachable = new pg.Client({ host: '127.0.0.1', port: await freePort(), user: 'postgres' });
    const error = await failure(() => unreachable.connect());
    await unreachable.end().catch(() => undefined);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('a pool that cannot connect in time (no code, only a message)', async () => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1, connectionTimeoutMillis: 50 });
    const held = await pool.connect();
    const error = await failure(() => pool.query('select 1'));
    held.release();
    await pool.end();
    expect(String((error as Error).message)).toMatch(/timeout exceeded when trying to connect/);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('57014: cancelled by statement_timeout', async () => {
    const connection = client();
    await connection.connect();
    try {
      await connection.query('set statement_timeout = 20');
      const error = await failure(() => connection.query('select pg_sleep(1)'));
      expect((error as { code?: string }).code).toBe('57014');
      expect(isDependencyUnavailable(error)).toBe(true);
    } finally {
      await connection.end();
    }
  });

  it('57P01: the connection terminated by an administrator (a server shutting down)', async () => {
    const connection = client();
    connection.on('error', () => undefined);
    await connection.connect();
    const error = await failure(() => connection.query('select pg_terminate_backend(pg_backend_pid())'));
    await connection.end().catch(() => undefined);
    expect((error as { code?: string }).code).toBe('57P01');
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('is false for errors in the query: syntax, an unknown table, a bad cast', async () => {
    const connection = client();
    await connection.connect();
    try {
      const syntax = await failure(() => connection.query('selec 1'));
      const table = await failure(() => connection.query('select * from no_such_table_here'));
      const cast = await failure(() => connection.query("select 'x'::int"));
      for (const error of [syntax, table, cast]) expect(isDependencyUnavailable(error)).toBe(false);
    } finally {
      await connection.end();
    }
  });
});

describe('isDependencyUnavailable: brands, causes and everything else', () => {
  class BrandedError extends Error {
    readonly [DEPENDENCY_UNAVAILABLE] = true;
  }

  it('knows a branded error and TemporarilyUnavailableError, also as a cause', () => {
    expect(isDependencyUnavailable(new BrandedError('down'))).toBe(true);
    expect(isDependencyUnavailable(new TemporarilyUnavailableError())).toBe(true);
    expect(isDependencyUnavailable(new Error('wrapped', { cause: new BrandedError('down') }))).toBe(true);
    const socket = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isDependencyUnavailable(new Error('a', { cause: new Error('b', { cause: socket }) }))).toBe(true);
  });

  it('is false for a bug, a non-error and a cause chain that loops', () => {
    expect(isDependencyUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyUnavailable(new ServerError())).toBe(false);
    expect(isDependencyUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDependencyUnavailable(undefined)).toBe(false);
    const looping = new Error('loop');
    Object.assign(looping, { cause: looping });
    expect(isDependencyUnavailable(looping)).toBe(false);
  });
});

describe('toOAuthError', () => {
  it('maps an unavailable dependency to 503 temporarily_unavailable and a bug to 500 server_error', () => {
    const oom = new ReplyError('OOM command not allowed when used memory > maxmemory.');
    expect(serializeOAuthError(oom)).toMatchObject({
      status: 503,
      body: { error: 'temporarily_unavailable' },
    });
    expect(serializeOAuthError(new TypeError('boom'))).toMatchObject({
      status: 500,
      body: { error: 'server_error' },
    });
  });

  it('leaves an OAuth error as it is, whatever its cause', () => {
    const refused = new InvalidClientError({ cause: new ReplyError('OOM full') });
    expect(toOAuthError(refused)).toBe(refused);
  });
});
