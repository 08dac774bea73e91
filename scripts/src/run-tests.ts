import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * `pnpm test`: runs Jest over every workspace, then prints one closing line
 * `tests: N passed, N failed` computed from Jest's JSON results. Extra arguments go to Jest
 * (e.g. `pnpm test -- packages/config`).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsFile = join(root, '.test-results', 'jest.json');
const jestBin = createRequire(join(root, 'package.json')).resolve('jest/bin/jest');

mkdirSync(dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const run = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    jestBin,
    '--json',
    `--outputFile=${resultsFile}`,
    ...args,
  ],
  { cwd: root, stdio: 'inherit' },
);

interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  success: boolean;
}

let results: JestResults | undefined;
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestResults;
} catch {
  results = undefined;
}

const passed = results?.numPassedTests ?? 0;
const failed = results?.numFailedTests ?? 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
if (run.status !== 0 || results === undefined || !results.success || failed > 0 || passed === 0) {
  process.exit(run.status && run.status !== 0 ? run.status : 1);
}
