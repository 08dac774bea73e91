import { Cluster, Redis } from 'ioredis';

/*
 * The one way every service connects to Redis: one server (REDIS_URL) or a Redis Cluster
 * (REDIS_CLUSTER_NODES). The token store, the rate limiters, the authorization sessions and the
 * grants gauge all build their client here, so a deployment switches to a cluster with settings only.
 *
 * Both clients fail fast while Redis cannot answer rather than queueing requests behind reconnects: a
 * request then fails with an unavailable error (503) and the client retries. On a cluster, commands
 * are routed by slot to the masters only (scaleReads 'master'): a replica may lag, and a refresh token
 * read there could be a rotated one.
 */

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

export type RedisConnection =
  | { readonly url: string }
  | {
      readonly clusterNodes: readonly ClusterNode[];
      readonly username?: string | undefined;
      readonly password?: string | undefined;
      /** TLS to every node (certificates checked against the system's CAs, as for rediss:). */
      readonly tls: boolean;
    };

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** Upper bound on any single command, queueing included. */
  readonly commandTimeoutMs?: number;
  /** ioredis's own prefix, added to every key the client sends. */
  readonly keyPrefix?: string;
  readonly enableAutoPipelining?: boolean;
  /** Connect on the first command rather than at once. */
  readonly lazyConnect?: boolean;
}

export function createRedisClient(
  connection: RedisConnection,
  options: RedisClientOptions = {},
): RedisClient {
  const common = {
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    lazyConnect: options.lazyConnect ?? false,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  };
  const client: RedisClient =
    'url' in connection
      ? new Redis(connection.url, {
          ...common,
          enableAutoPipelining: options.enableAutoPipelining ?? false,
          retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
        })
      : new Cluster(
          connection.clusterNodes.map(({ host, port }) => ({ host, port })),
          {
            scaleReads: 'master',
            enableAutoPipelining: options.enableAutoPipelining ?? false,
            // Refused at once while no slot map is known, instead of waiting in a queue.
            enableOfflineQueue: false,
            lazyConnect: common.lazyConnect,
            ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
            // A master that stops answering: the slot map is refreshed again and again, never given up.
            clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 2000),
            // A failover moves slots; a few short waits cover it before a command is failed.
            retryDelayOnFailover: 100,
            retryDelayOnClusterDown: 100,
            retryDelayOnTryAgain: 100,
            maxRedirections: 4,
            slotsRefreshTimeout: 1000,
            redisOptions: {
              commandTimeout: common.commandTimeout,
              connectTimeout: common.connectTimeout,
              maxRetriesPerRequest: common.maxRetriesPerRequest,
              ...(connection.username === undefined ? {} : { username: connection.username }),
              ...(connection.password === undefined ? {} : { password: connection.password }),
              ...(connection.tls ? { tls: {} } : {}),
            },
          },
        );
  // Errors surface on the commands; the connection's own error events would otherwise crash the process.
  client.on('error', () => undefined);
  return client;
}

/** Closes politely, or at once when Redis cannot be reached. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

/** The masters of a cluster (each holds a part of the keys), or the one server. */
export function redisMasters(client: RedisClient): readonly Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
