import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { settleWithin, TELEMETRY_FLUSH_BUDGET_MS } from './shutdown.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('settleWithin', () => {
  it('gives up on work that never settles once its time is over', async () => {
    const started = Date.now();
    await settleWithin(new Promise(() => undefined), 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('resolves as soon as the work settles, a failure included, never rejecting', async () => {
    const started = Date.now();
    await expect(settleWithin(Promise.reject(new Error('collector gone')), 5000)).resolves.toBeUndefined();
    await expect(settleWithin(Promise.resolve('flushed'), 5000)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('armHardExit', () => {
  it('ends a process that something keeps alive, with exit code 1, after drain and flush budgets', async () => {
    // Against the built package (`pnpm build` first): a process held open by a timer that never ends.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { armHardExit } from './dist/shutdown.js';
         armHardExit(100, () => process.stdout.write('over budget\\n'));
         process.stdout.write('armed\\n');
         setInterval(() => undefined, 1000);`,
      ],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    // Timed from the arming, not from the spawn: a busy machine may take a while to start Node.
    let armedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (armedAt === 0 && stdout.includes('armed')) armedAt = Date.now();
    });
    const [code] = await once(child, 'exit');
    const elapsedMs = Date.now() - armedAt;
    expect(code).toBe(1);
    expect(stdout).toBe('armed\nover budget\n');
    // (The arming line reaches the test a little after the timer started.)
    expect(elapsedMs).toBeGreaterThanOrEqual(100 + TELEMETRY_FLUSH_BUDGET_MS - 500);
    expect(elapsedMs).toBeLessThan(100 + TELEMETRY_FLUSH_BUDGET_MS + 3000);
  });
});
