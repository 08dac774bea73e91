import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { prefixOutput } from './output.js';

/**
 * Runs each migration job (`node dist/migrate.js` in its folder, with the launcher's environment and so
 * its DATABASE_URL) one after the other; the first that fails stops `pnpm start` with its name.
 */
export async function runMigrations(
  jobs: readonly { readonly name: string; readonly dir: string }[],
  stopped: () => boolean,
): Promise<void> {
  for (const job of jobs) {
    if (stopped()) throw new Error('stopped while migrating');
    const label = `${job.name}-migrate`;
    const child = spawn(process.execPath, ['dist/migrate.js'], {
      cwd: job.dir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixOutput(label, child.stdout, process.stdout);
    prefixOutput(label, child.stderr, process.stderr);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new Error(`${label} failed (${signal ?? `exit code ${code}`}); see its output above`);
    }
  }
}
