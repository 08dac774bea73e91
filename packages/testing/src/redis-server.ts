import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

/*
 * A redis-server of the test's own, on a free port, for what must never be done to the shared one:
 * stopping it (outage tests), filling it up (`maxmemory` + `noeviction` answers OOM) or making it a
 * read-only replica. Nothing is persisted.
 */

export interface OwnRedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it (again) on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and waits for the exit; nothing listens on the port afterwards. */
  stop(): Promise<void>;
}

const READY = 'Ready to accept connections';

export async function ownRedisServer(
  options: { readonly args?: readonly string[] } = {},
): Promise<OwnRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const started = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          ...(options.args ?? []),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      let output = '';
      const timer = setTimeout(() => {
        started.kill('SIGKILL');
        reject(new Error(`redis-server on ${port} did not start:\n${output}`));
      }, 10_000);
      started.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${port} exited:\n${output}`));
      });
    });

  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop };
}

/**
 * Makes a Redis of the test's own answer OOM to every write, as a full Redis with
 * `maxmemory-policy noeviction` does: some data, then a `maxmemory` below what it already uses. (Filling
 * it up to a small maxmemory is not enough: connections coming and going free a few kilobytes.)
 * Resolves with the way back: no limit again.
 */
export async function exhaustMemory(url: string): Promise<() => Promise<void>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    await redis.set('filler', 'x'.repeat(200_000));
    const info = await redis.info('memory');
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', String(Math.floor(used / 2)));
  } finally {
    redis.disconnect();
  }
  return async () => {
    const admin = new Redis(url, { maxRetriesPerRequest: 0 });
    try {
      await admin.config('SET', 'maxmemory', '0');
    } finally {
      admin.disconnect();
    }
  };
}
