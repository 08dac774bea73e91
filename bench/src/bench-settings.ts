/*
 * Settings of `pnpm bench` (environment): BENCH_TRIALS (5), BENCH_SECONDS per measurement (5),
 * BENCH_WARMUP_SECONDS before each latency measurement (2), BENCH_CONNECTIONS (32),
 * BENCH_ONLY (the parts to run, default all: issuance, introspection, codeflow, memory),
 * BENCH_FLOW_CONCURRENCY (16 code flows at a time), BENCH_TOKENS and BENCH_GRANTS for the memory
 * figures (1000000, 200000), BENCH_SKIP_OIDC, BENCH_SKIP_MEMORY,
 * BENCH_OTEL=on (tracing on, sampler from OTEL_TRACES_SAMPLER/OTEL_TRACES_SAMPLER_ARG, exported to
 * OTEL_EXPORTER_OTLP_ENDPOINT) to measure instrumentation overhead.
 */

export const BENCH_PARTS = ['issuance', 'introspection', 'codeflow', 'memory'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** BENCH_ONLY's value as the parts it names; every part when unset. */
export function benchParts(value: string | undefined): ReadonlySet<BenchPart> {
  if (value === undefined || value === '') return new Set(BENCH_PARTS);
  const named = value.split(',').map((part) => part.trim());
  const unknown = named.filter((part) => !(BENCH_PARTS as readonly string[]).includes(part));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (known: ${BENCH_PARTS.join(', ')})`);
  return new Set(named as BenchPart[]);
}

const skipMemory = process.env.BENCH_SKIP_MEMORY === '1' || process.env.BENCH_SKIP_MEMORY === 'true';
const only = benchParts(process.env.BENCH_ONLY);

export const settings = {
  /** Whether a part of the bench runs (BENCH_ONLY; BENCH_SKIP_MEMORY still turns the memory part off). */
  runs: (part: BenchPart): boolean => only.has(part) && !(part === 'memory' && skipMemory),
  /** `edge` (as specified: the same local edge in front of both), `direct` (services alone), or `both`. */
  paths: (process.env.BENCH_PATHS ?? 'both')
    .split(',')
    .flatMap((path) => (path === 'both' ? ['edge', 'direct'] : [path])),
  trials: Number(process.env.BENCH_TRIALS ?? 5),
  durationMs: Number(process.env.BENCH_SECONDS ?? 5) * 1000,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  /** Unmeasured seconds at the fixed rate before latency is recorded. */
  warmupMs: Number(process.env.BENCH_WARMUP_SECONDS ?? 2) * 1000,
  tokens: Number(process.env.BENCH_TOKENS ?? 1_000_000),
  /** Code-flow grants (grant, index, refresh and access token, last use) for the memory figure. */
  grants: Number(process.env.BENCH_GRANTS ?? 200_000),
  flowConcurrency: Number(process.env.BENCH_FLOW_CONCURRENCY ?? 16),
  /** An empty logical Redis database for the memory figure. */
  redisDb: Number(process.env.BENCH_REDIS_DB ?? 13),
  skipOidc: process.env.BENCH_SKIP_OIDC === '1' || process.env.BENCH_SKIP_OIDC === 'true',
  otel: process.env.BENCH_OTEL === 'on',
};

/** The processes' OpenTelemetry switches: off, or on with the sampler the environment names. */
export const otelEnv: Record<string, string> = settings.otel
  ? {
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_SAMPLER: process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG ?? '0.1',
      ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }
        : {}),
    }
  : { OTEL_SDK_DISABLED: 'true' };

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
