import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chunkSizeFor, describeFailure, type FuzzSystem, startFuzzSystem } from './fuzz.js';
import { runEndpoint } from './runner.js';

/*
 * The short fuzz run inside `pnpm test`: every endpoint through the edge with a fixed seed (FUZZ_SEED
 * overrides it), a few hundred requests each. `pnpm fuzz` is the long run (docs/fuzzing.md).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_015);
const RUNS = 150;
const CONCURRENCY = 16;

let fuzz: FuzzSystem;

beforeAll(async () => {
  fuzz = await startFuzzSystem('fuzz-short');
}, 90_000);

afterAll(async () => {
  await fuzz?.stop();
});

// The endpoint list needs the PKI, which only the running system has; the names are fixed.
const NAMES = [
  'register',
  'register-get',
  'register-put',
  'register-delete',
  'sandbox-page',
  'sandbox-consent',
  'bank-page',
  'bank-signin',
  'bank-otp-page',
  'bank-otp',
  'bank-consent-page',
  'bank-consent',
  'customer-consents',
  'par',
  'token',
  'revoke',
  'introspect',
  'metadata',
  'openapi',
  'docs',
  'unknown-path',
  'xfcc-direct',
];

describe(`fuzz through the edge (seed ${SEED}, ${RUNS} requests per endpoint)`, () => {
  it('knows every endpoint it fuzzes', () => {
    expect(fuzz.endpoints().map((endpoint) => endpoint.name)).toEqual(NAMES);
  });

  it.each(NAMES)(
    '%s: never a 5xx, always the standard error, never a stack trace',
    async (name) => {
      const [endpoint] = fuzz.endpoints(name);
      if (endpoint === undefined) throw new Error(`no endpoint ${name}`);
      const report = await runEndpoint(endpoint, fuzz.live, fuzz.transport, {
        seed: SEED,
        runs: RUNS,
        concurrency: CONCURRENCY,
        chunkSize: chunkSizeFor(RUNS),
      });
      // Every request is accounted for; the edge refuses expired or untrusted certificates at TLS and
      // the HTTP client will not send some (both counted apart), the rest got an answer.
      expect(Object.values(report.statuses).reduce((sum, n) => sum + n, 0)).toBe(RUNS);
      expect(report.requests).toBeGreaterThanOrEqual(RUNS * 0.8);
      expect(report.failures.map(describeFailure)).toEqual([]);
    },
    60_000,
  );

  it('leaves every client with its audit trail and no half-written client or grant', async () => {
    const report = await fuzz.checkInvariants();
    expect(report.checked.clients).toBeGreaterThan(0);
    expect(report.violations).toEqual([]);
  }, 60_000);
});
