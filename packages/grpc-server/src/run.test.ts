import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/*
 * runGrpcServer as a process sees it (it exits), so against the built package (`pnpm build` first):
 * a start failure is one line on stderr and exit 1; SIGTERM drains, closes, and exits 0.
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A main.ts in miniature: the port to listen on comes from argv; close() says so on stdout. */
const MAIN = `
import { ServerCredentials } from '@grpc/grpc-js';
import { createLogger } from '@psd2/logging';
import { ServerHealth, runGrpcServer, startGrpcServer } from './dist/index.js';

const logger = createLogger({ name: 'run-test', level: 'silent' });
const health = new ServerHealth({ serviceName: 'psd2.test.v1.Nothing', logger });
const server = await runGrpcServer({
  processName: 'run-test',
  logger,
  graceMs: 1000,
  start: () => startGrpcServer({
    host: '127.0.0.1', port: Number(process.argv[1]), credentials: ServerCredentials.createInsecure(),
    maxReceiveMessageBytes: 1024, logger, health, register: () => {},
  }),
  close: async () => process.stdout.write('closed\\n'),
});
process.stdout.write('listening on ' + server.port + '\\n');
`;

function runMain(port: number): { child: ChildProcess; output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', MAIN, String(port)], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  return { child, output };
}

async function listeningPort(output: { stdout: string }): Promise<number> {
  const until = Date.now() + 10_000;
  for (;;) {
    const port = /listening on (\d+)/.exec(output.stdout)?.[1];
    if (port !== undefined) return Number(port);
    if (Date.now() > until) throw new Error(`not listening: ${output.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runGrpcServer', () => {
  it('drains, closes the dependencies and exits 0 on SIGTERM', async () => {
    const { child, output } = runMain(0);
    await listeningPort(output);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output.stdout).toContain('closed');
  });

  it('answers a start failure (the port taken) with one line on stderr, closes, and exits 1', async () => {
    const first = runMain(0);
    try {
      const port = await listeningPort(first.output);
      const { child, output } = runMain(port);
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      // (grpc-js writes a line of its own before it.)
      expect(output.stderr).toMatch(/^run-test: could not start: .*EADDRINUSE.*$/m);
      expect(output.stderr).not.toMatch(/^\s+at /m);
      expect(output.stdout).toBe('closed\n');
    } finally {
      first.child.kill('SIGTERM');
      await once(first.child, 'exit');
    }
  });
});
