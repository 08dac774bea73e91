import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { parseDuration } from './crl-options.js';
import { type RefreshCliDeps, runRefresh } from './crl-refresh-cli.js';
import {
  crlOf,
  DAY_MS,
  type DistributionPointServer,
  HOUR_MS,
  serve,
  startDistributionPoint,
  type TwoCas,
  twoCas,
} from './crl-test-support.js';

/* `pnpm trust refresh-crls` options: flags or variables, and one line naming a bad one (exit 2). */

let cas: TwoCas;
let server: DistributionPointServer;
let dir: string;
let caFile: string;
let outFile: string;
let pointsFile: string;
let lines: { out: string[]; err: string[] };

function deps(): RefreshCliDeps {
  return {
    fetch: globalThis.fetch,
    now: () => new Date(),
    out: (line) => lines.out.push(line),
    err: (line) => lines.err.push(line),
  };
}

function refresh(...extra: string[]) {
  return runRefresh(
    ['--ca-file', caFile, '--out', outFile, '--distribution-points', pointsFile, ...extra],
    {},
    deps(),
  );
}

beforeAll(async () => {
  cas = await twoCas();
  server = await startDistributionPoint();
});
afterAll(() => server.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crl-options-'));
  caFile = join(dir, 'ca.crt');
  outFile = join(dir, 'crl.pem');
  pointsFile = join(dir, 'distribution-points.json');
  await writeFile(caFile, cas.bundlePem);
  await writeFile(pointsFile, JSON.stringify(cas.distributionPoints(server.base)));
  lines = { out: [], err: [] };
  return () => rm(dir, { recursive: true, force: true });
});

describe('refresh-crls options', () => {
  it('reads durations as seconds, minutes, hours or days', () => {
    expect([
      parseDuration('x', '3600'),
      parseDuration('x', '90m'),
      parseDuration('x', '6h'),
      parseDuration('x', '2d'),
    ]).toEqual([3600, 5400, 21600, 172800]);
  });

  describe('usage errors exit 2 with one line naming the option', () => {
    it.each([
      [['--grace', 'soon'], '--grace must be a duration such as 6h, 90m or 3600: got "soon"'],
      [['--colour', 'red'], 'unknown option --colour'],
      [['--max-bytes', '0'], '--max-bytes must be greater than 0'],
    ])('%j', async (extra, message) => {
      expect(await refresh(...extra)).toBe(2);
      expect(lines.err).toHaveLength(1);
      expect(lines.err[0]).toContain(message);
    });

    it('without a CA bundle or an output', async () => {
      expect(await runRefresh(['--out', outFile], {}, deps())).toBe(2);
      expect(lines.err[0]).toContain('--ca-file and --out (TRUST_CA_FILE, TRUST_CRL_FILE) are required');
    });

    it('with an unreadable CA bundle or distribution-points file', async () => {
      expect(await runRefresh(['--ca-file', join(dir, 'none.crt'), '--out', outFile], {}, deps())).toBe(2);
      expect(lines.err[0]).toContain('the CA bundle cannot be read (ENOENT)');
      await writeFile(pointsFile, '["not", "an object"]');
      expect(await refresh()).toBe(2);
      expect(lines.err[1]).toContain(`--distribution-points ${pointsFile} must be a JSON object`);
    });

    it('takes its settings from the environment too', async () => {
      server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, HOUR_MS, DAY_MS)));
      server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      const env = {
        TRUST_CA_FILE: caFile,
        TRUST_CRL_FILE: outFile,
        TRUST_CRL_DISTRIBUTION_POINTS: pointsFile,
      };
      expect(await runRefresh([], env, deps())).toBe(0);
      expect(await runRefresh([], { ...env, TRUST_CRL_GRACE_SECONDS: 'x' }, deps())).toBe(2);
      expect(lines.err.at(-1)).toContain('TRUST_CRL_GRACE_SECONDS must be a duration');
    });
  });
});
