import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that start compiled services as processes. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const [port = 0] = await freePorts(1);
  return port;
}

/**
 * `count` distinct free loopback ports. All are held open until every one is known: ports asked for
 * one after another can come back twice (the first is free again once closed), and two processes of
 * one system given the same port fail to start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              resolve(typeof address === 'object' && address !== null ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      ),
    );
  }
}

export interface StartedProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves once the output contains `text`; rejects when the process exits first or time runs out. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Output kept per process: far more than any test reads. */
const OUTPUT_LIMIT = 8 * 1024 * 1024;

/** Starts `node [args]` from `cwd` with extra environment, collecting its output. */
export function startNodeProcess(options: {
  cwd: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}): StartedProcess {
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Chunks, joined on demand; bounded, so that a benchmark's minutes of access logs do not pile up in
  // the load generator's heap (and its GC pauses do not show up as server latency).
  let chunks: string[] = [];
  let size = 0;
  const output = (): string => {
    if (chunks.length > 1) chunks = [chunks.join('')];
    return chunks[0] ?? '';
  };
  const listeners = new Set<(chunk: string) => void>();
  const onData = (data: Buffer) => {
    const chunk = data.toString();
    chunks.push(chunk);
    size += chunk.length;
    while (size > OUTPUT_LIMIT && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
    for (const listener of listeners) listener(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    output,
    exited,
    waitForOutput(text, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        // Each new chunk is searched with the end of what came before: `text` may straddle two chunks.
        let carry = '';
        const found = (chunk: string) => {
          const window = carry + chunk;
          carry = window.slice(-(text.length - 1) || window.length);
          return window.includes(text);
        };
        const check = (chunk: string) => {
          if (found(chunk)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${JSON.stringify(text)}; output so far:\n${output()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`process exited before printing ${JSON.stringify(text)}; output:\n${output()}`));
          }
        });
        check(output());
      });
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}
