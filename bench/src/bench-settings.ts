/*
 * Settings of `pnpm bench` (environment): BENCH_TRIALS (5), BENCH_SECONDS per measurement (5),
 * BENCH_WARMUP_SECONDS before each latency measurement (2), BENCH_CONNECTIONS (32),
 * BENCH_TOKENS for the memory figure (1000000), BENCH_SKIP_OIDC, BENCH_SKIP_MEMORY,
 * BENCH_OTEL=on (tracing on, sampler from OTEL_TRACES_SAMPLER/OTEL_TRACES_SAMPLER_ARG, exported to
 * OTEL_EXPORTER_OTLP_ENDPOINT) to measure instrumentation overhead.
 */

export const settings = {
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
  /** An empty logical Redis database for the memory figure. */
  redisDb: Number(process.env.BENCH_REDIS_DB ?? 13),
  skipOidc: process.env.BENCH_SKIP_OIDC === '1' || process.env.BENCH_SKIP_OIDC === 'true',
  skipMemory: process.env.BENCH_SKIP_MEMORY === '1' || process.env.BENCH_SKIP_MEMORY === 'true',
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
