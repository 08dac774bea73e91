import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePorts } from './processes.js';

/*
 * A local three-master Redis Cluster (no replicas) for the tests that must run against one. The shared
 * one is on 127.0.0.1:7101-7103 (`.ci/run` starts it when absent, like the shared Redis on 6379); a
 * test that stops a master starts a cluster of its own on free ports instead, each master with its own
 * directory, so that a restarted master finds its nodes.conf (its slots) and its append-only file.
 */

const run = promisify(execFile);

export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

export const SHARED_CLUSTER_PORTS = [7101, 7102, 7103] as const;

export interface OwnRedisCluster {
  readonly nodes: readonly ClusterNodeAddress[];
  /** Stops the master on `port` as a crash would (SIGKILL); nothing listens there afterwards. */
  stopNode(port: number): Promise<void>;
  /** Starts it again from its directory (nodes.conf, append-only file); resolves once the cluster is ok. */
  startNode(port: number): Promise<void>;
  stop(): Promise<void>;
}

const READY = 'Ready to accept connections';

async function clusterState(port: number): Promise<string | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    return /cluster_state:(\w+)/.exec(await redis.cluster('INFO'))?.[1];
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

async function waitForClusterOk(ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ports.map(clusterState));
    if (states.every((state) => state === 'ok')) return;
    if (Date.now() > deadline)
      throw new Error(`Redis Cluster not ok on ${ports.join(', ')}: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The shared cluster on 7101-7103 when it runs, else undefined. */
export async function sharedRedisCluster(): Promise<readonly ClusterNodeAddress[] | undefined> {
  const states = await Promise.all(SHARED_CLUSTER_PORTS.map(clusterState));
  if (!states.every((state) => state === 'ok')) return undefined;
  return SHARED_CLUSTER_PORTS.map((port) => ({ host: '127.0.0.1', port }));
}

/**
 * Three masters of the test's own. `args` are added to every redis-server (e.g. persistence for a
 * restart test); by default nothing is persisted.
 */
export async function ownRedisCluster(
  options: { readonly args?: readonly string[] } = {},
): Promise<OwnRedisCluster> {
  const ports = await freePorts(3);
  const root = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const children = new Map<number, ChildProcess>();

  const startServer = async (port: number) => {
    const dir = join(root, String(port));
    await mkdir(dir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          ...(options.args ?? []),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
      );
      children.set(port, child);
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`redis-server on ${port} did not start:\n${output}`));
      }, 10_000);
      child.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${port} exited:\n${output}`));
      });
    });
  };

  const stopNode = async (port: number) => {
    const child = children.get(port);
    children.delete(port);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const stop = async () => {
    await Promise.all(ports.map(stopNode));
    await rm(root, { recursive: true, force: true });
  };

  try {
    await Promise.all(ports.map(startServer));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitForClusterOk(ports);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    stopNode,
    async startNode(port) {
      await startServer(port);
      await waitForClusterOk(ports);
    },
    stop,
  };
}

/**
 * The shared cluster if it runs, else one of this test file's own (stopped by the returned function).
 */
export async function testRedisCluster(): Promise<{
  readonly nodes: readonly ClusterNodeAddress[];
  release(): Promise<void>;
}> {
  const shared = await sharedRedisCluster();
  if (shared !== undefined) return { nodes: shared, release: async () => undefined };
  const own = await ownRedisCluster();
  return { nodes: own.nodes, release: own.stop };
}

/**
 * A cluster client refuses commands until it knows the slot map (no offline queue, on purpose): waits
 * until `ping` answers.
 */
export async function untilClusterClientReady(ping: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await ping();
      return;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Where the processes keep their state: exactly one of REDIS_URL and REDIS_CLUSTER_NODES (both are refused). */
export function tokenStoreEnv(
  cluster: readonly ClusterNodeAddress[] | undefined,
  redisUrl: string,
): Record<string, string> {
  if (cluster === undefined) return { REDIS_URL: redisUrl };
  return {
    REDIS_CLUSTER_NODES: cluster.map(({ host, port }) => `${host}:${port}`).join(','),
    REDIS_TLS: 'false',
  };
}
