import { randomInt } from 'node:crypto';
import { type FuzzResult, runFuzz } from './fuzz.js';

/*
 * `pnpm fuzz`: the long run. FUZZ_RUNS requests per endpoint (default 100 000), FUZZ_SEED (printed
 * first; set it to replay a run), FUZZ_ENDPOINTS (comma-separated names, default all),
 * FUZZ_CONCURRENCY (requests in flight, default 32). Exits 1 on any failed property or broken
 * stored-state invariant.
 */

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** The same server error logged a thousand times is one cause: keep one line per message. */
function distinctCauses(lines: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const line of lines) {
    const key = /"msg":"[^"]*"/.exec(line)?.[0] ?? '';
    const message = /"message":"([^"]{0,120})/.exec(line)?.[1] ?? '';
    if (!seen.has(key + message)) seen.set(key + message, line);
  }
  return [...seen.values()];
}

function summarise(result: FuzzResult, seed: number): number {
  const failures = result.reports.flatMap((report) => report.failures);
  const total = result.reports.reduce((sum, report) => sum + report.requests, 0);
  const seconds = result.reports.reduce((sum, report) => sum + report.milliseconds, 0) / 1000;
  const { user, system } = process.cpuUsage();
  console.log(
    `\n${total} requests in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)}/s); the harness itself used ${((user + system) / 1e6).toFixed(0)} s of CPU`,
  );
  console.log(
    `stored state: ${result.invariants.checked.clients} clients, ${result.invariants.checked.auditRows} audit rows, ${result.invariants.checked.redisKeys} Redis keys checked; ${result.invariants.violations.length} violations`,
  );
  for (const violation of result.invariants.violations.slice(0, 50)) console.log(`  INVARIANT ${violation}`);
  const causes = distinctCauses(result.serverErrors);
  if (causes.length > 0) console.log(`\nserver errors logged (${causes.length} distinct):`);
  for (const line of causes.slice(0, 30)) console.log(`  ${line}`);
  if (failures.length > 0 || result.invariants.violations.length > 0) {
    console.log(`\nFAILED: ${failures.length} distinct failures; replay with FUZZ_SEED=${seed}`);
    for (const example of failures) {
      console.log(
        `  ${example.count}× ${example.failure} at ${example.endpoint}: ${example.detail.slice(0, 100)}`,
      );
    }
    return 1;
  }
  console.log('\nno 5xx, every response as specified, stored state consistent');
  return 0;
}

const seed = integer('FUZZ_SEED', randomInt(0, 2 ** 31));
const runs = integer('FUZZ_RUNS', 100_000);
const concurrency = integer('FUZZ_CONCURRENCY', 32);
console.log(
  `fuzz seed ${seed} (FUZZ_SEED=${seed} replays this run): ${runs} requests per endpoint, ${concurrency} in flight`,
);
const result = await runFuzz({
  seed,
  runsPerEndpoint: runs,
  concurrency,
  label: 'fuzz-cli',
  log: (line) => console.log(line),
  ...(process.env.FUZZ_ENDPOINTS ? { endpoints: process.env.FUZZ_ENDPOINTS } : {}),
});
process.exit(summarise(result, seed));
