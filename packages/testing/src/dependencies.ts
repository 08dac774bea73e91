import { Redis } from 'ioredis';
import pg from 'pg';

export const testDatabaseUrl = (): string =>
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface DependencyStatus {
  readonly name: 'PostgreSQL' | 'Redis';
  readonly url: string;
  readonly error?: string;
  readonly howToStart: string;
}

const HOW_TO_START_POSTGRES =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set DATABASE_URL)';
const HOW_TO_START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no (or set REDIS_URL)';

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function checkPostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    redis.disconnect();
  }
}

/** Probes the real services the integration tests need, each bounded to about two seconds. */
export async function checkDependencies(): Promise<DependencyStatus[]> {
  const [postgresError, redisError] = await Promise.all([
    checkPostgres(testDatabaseUrl()),
    checkRedis(testRedisUrl()),
  ]);
  return [
    {
      name: 'PostgreSQL',
      url: redact(testDatabaseUrl()),
      howToStart: HOW_TO_START_POSTGRES,
      ...(postgresError ? { error: postgresError } : {}),
    },
    {
      name: 'Redis',
      url: redact(testRedisUrl()),
      howToStart: HOW_TO_START_REDIS,
      ...(redisError ? { error: redisError } : {}),
    },
  ];
}
