import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// The built module, as services run it (`pnpm test` builds first).
const built = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')).href;

/** Runs a script that logs to stdout; resolves each line with the time it arrived. */
function run(script: string): Promise<Array<{ msg: string; atMs: number }>> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<{ msg: string; atMs: number }> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete)
      lines.push({ msg: (JSON.parse(line) as { msg: string }).msg, atMs: Date.now() - started });
  });
  return new Promise((resolve) => child.on('close', () => resolve(lines)));
}

describe('the stdout destination', () => {
  it('buffers lines, but delivers a quiet service line within a fraction of a second', async () => {
    const lines = await run(`
      import { createLogger } from '${built}';
      const logger = createLogger({ name: 't', level: 'info' });
      logger.info('first');
      setTimeout(() => logger.info('late'), 900);
      setTimeout(() => process.exit(0), 1000);
    `);
    const first = lines.find((line) => line.msg === 'first');
    const late = lines.find((line) => line.msg === 'late');
    expect(first).toBeDefined();
    expect(late).toBeDefined();
    // 'first' came out long before 'late' was even written: the periodic flush, not the exit.
    expect((late?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThan(500);
  });

  it('loses no line when the process exits with lines still buffered', async () => {
    const lines = await run(`
      import { createLogger } from '${built}';
      const logger = createLogger({ name: 't', level: 'info' });
      for (let index = 0; index < 1000; index += 1) logger.info('line ' + index);
      process.exit(0);
    `);
    expect(lines.map((line) => line.msg)).toEqual(
      Array.from({ length: 1000 }, (_, index) => `line ${index}`),
    );
  });
});
