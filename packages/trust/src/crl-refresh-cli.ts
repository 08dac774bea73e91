import { readFile } from 'node:fs/promises';
import { shutdownTelemetry } from '@psd2/telemetry';
import { type DistributionPointMap, parseDistributionPointMap } from './crl-authorities.js';
import type { Fetch } from './crl-fetch.js';
import { inClusterSecretTarget, kubernetesSecretStore } from './crl-kubernetes-secret.js';
import { type CaFigures, figuresOf, recordCrlMetrics, runOutcome } from './crl-metrics.js';
import { parseRefreshOptions, type RefreshCliOptions, UsageError } from './crl-options.js';
import { type CaRefresh, refreshCrls } from './crl-refresh.js';
import { type CrlStore, fileStore } from './crl-store.js';

/*
 * `pnpm trust refresh-crls`: one refresh, one line per CA, metrics flushed, and the exit code
 *   0  every CA has a CRL in force (refreshed, current, or kept/stale within the grace: warnings)
 *   1  a CA failed closed (no CRL, or stale beyond the grace), or the bundle could not be written
 *   2  usage or configuration error (bad option, unreadable CA bundle or distribution-points file)
 */

export const EXIT_OK = 0;
export const EXIT_FAILED_CLOSED = 1;
export const EXIT_USAGE = 2;

export interface RefreshCliDeps {
  readonly fetch: Fetch;
  readonly now: () => Date;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Builds the store for --secret; in-cluster by default, a test API server in tests. */
  readonly secretStore?: (name: string) => Promise<CrlStore>;
}

const PREFIX = 'refresh-crls:';

async function distributionPoints(options: RefreshCliOptions): Promise<DistributionPointMap> {
  if (options.distributionPointsFile === undefined) return {};
  const file = options.distributionPointsFile;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--distribution-points ${file} ${code === undefined ? 'is not JSON' : `cannot be read (${code})`}`,
    );
  }
  try {
    return parseDistributionPointMap(json);
  } catch (error) {
    throw new UsageError(`--distribution-points ${file} ${(error as Error).message}`);
  }
}

function caLine(result: CaRefresh, figures: CaFigures): string {
  const crl = result.crl;
  return [
    result.outcome.padEnd(13),
    `ca="${result.ca.label}"`,
    `ski=${result.ca.ski || '-'}`,
    `thisUpdate=${crl?.thisUpdate.toISOString() ?? '-'}`,
    `nextUpdate=${crl?.nextUpdate?.toISOString() ?? '-'}`,
    `age=${figures.ageSeconds ?? '-'}s`,
    `expires_in=${figures.expiresInSeconds ?? '-'}s`,
    `source=${result.source ?? '-'}`,
  ].join(' ');
}

function report(results: readonly CaRefresh[], now: Date, deps: RefreshCliDeps): CaFigures[] {
  return results.map((result) => {
    const figures = figuresOf(result, now);
    deps.out(caLine(result, figures));
    const level = result.outcome === 'failed-closed' ? 'error' : 'warning';
    const quiet = result.outcome === 'refreshed' || result.outcome === 'current';
    for (const problem of result.problems) {
      deps.err(`${PREFIX} ${quiet ? 'note' : level} ca="${result.ca.label}" ${problem}`);
    }
    if (result.outcome === 'stale') {
      deps.err(
        `${PREFIX} warning ca="${result.ca.label}" CRL past nextUpdate: the edge refuses this CA's clients until a fresh CRL is fetched`,
      );
    }
    if (result.outcome === 'failed-closed') {
      deps.err(
        `${PREFIX} error ca="${result.ca.label}" failed closed: ${result.crl === undefined ? 'no CRL in force' : 'CRL stale beyond the grace'}; the edge refuses this CA's clients`,
      );
    }
    return figures;
  });
}

async function refresh(options: RefreshCliOptions, store: CrlStore, deps: RefreshCliDeps): Promise<number> {
  const points = await distributionPoints(options);
  let caBundlePem: string;
  try {
    caBundlePem = await store.readCaBundle();
  } catch (error) {
    throw new UsageError(
      `the CA bundle cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const previousBundlePem = await store.readCrlBundle();
  const now = deps.now();
  let result: Awaited<ReturnType<typeof refreshCrls>>;
  try {
    result = await refreshCrls({
      caBundlePem,
      previousBundlePem,
      now,
      fetch: deps.fetch,
      graceSeconds: options.graceSeconds,
      limits: { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes },
      distributionPoints: points,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const figures = report(result.cas, now, deps);
  const outcome = runOutcome(result.cas);
  let written = false;
  let exitCode = outcome === 'failed_closed' ? EXIT_FAILED_CLOSED : EXIT_OK;
  if (result.bundlePem === '') {
    deps.err(`${PREFIX} error no CA has a CRL: ${store.description} left as it is`);
    exitCode = EXIT_FAILED_CLOSED;
  } else {
    try {
      written = await store.replaceCrlBundle(result.bundlePem, previousBundlePem);
    } catch (error) {
      deps.err(`${PREFIX} error ${store.description} could not be written: ${(error as Error).message}`);
      exitCode = EXIT_FAILED_CLOSED;
    }
  }
  recordCrlMetrics(figures, outcome);
  deps.out(
    `${PREFIX} outcome=${outcome} cas=${result.cas.length} ${written ? 'written' : 'unchanged'}=${store.description}`,
  );
  return exitCode;
}

async function secretStore(name: string, env: NodeJS.ProcessEnv, deps: RefreshCliDeps): Promise<CrlStore> {
  try {
    return await (
      deps.secretStore ??
      (async (secret: string) => kubernetesSecretStore(await inClusterSecretTarget(secret, env)))
    )(name);
  } catch (error) {
    throw new UsageError(`--secret ${name}: ${(error as Error).message}`);
  }
}

export async function runRefresh(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  deps: RefreshCliDeps,
): Promise<number> {
  try {
    const options = parseRefreshOptions(args, env);
    const store =
      options.secret === undefined
        ? fileStore(options.caFile ?? '', options.outFile ?? '')
        : await secretStore(options.secret, env, deps);
    return await refresh(options, store, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      deps.err(`${PREFIX} ${error.message}`);
      return EXIT_USAGE;
    }
    deps.err(`${PREFIX} error ${(error as Error).message}`);
    return EXIT_FAILED_CLOSED;
  }
}

export async function run(args: string[]): Promise<number> {
  const code = await runRefresh(args, process.env, {
    fetch: globalThis.fetch,
    now: () => new Date(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  // A CronJob's process is short-lived: the metrics go out now or never.
  await shutdownTelemetry();
  return code;
}
