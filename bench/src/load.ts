import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';

/*
 * The load generator: keep-alive mTLS connections from an undici Agent (the TPP's side), either as
 * fast as the server answers (closed loop, for the maximum rate) or at a fixed rate (open loop, for
 * latency). Latency at a fixed rate is measured from each request's scheduled start, not its actual
 * start, so a server that stalls cannot hide its queueing (no coordinated omission).
 */

export interface LoadTarget {
  readonly name: string;
  readonly agent: Agent;
  readonly origin: string;
  readonly path: string;
  /** A new form body per request (e.g. cycling through tokens to introspect). */
  readonly body: () => string;
}

async function send(target: LoadTarget): Promise<boolean> {
  const response = await target.agent.request({
    origin: target.origin,
    path: target.path,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: target.body(),
  });
  await response.body.dump();
  return response.statusCode === 200;
}

export interface ThroughputResult {
  readonly requestsPerSecond: number;
  readonly completed: number;
  readonly errors: number;
}

export async function maxThroughput(
  target: LoadTarget,
  options: { readonly connections: number; readonly durationMs: number },
): Promise<ThroughputResult> {
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        if (await send(target)) completed += 1;
        else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { requestsPerSecond: completed / elapsed, completed, errors };
}

export interface LatencyResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export async function fixedRate(
  target: LoadTarget,
  options: {
    readonly requestsPerSecond: number;
    readonly durationMs: number;
    /**
     * Sent at the same rate first, not measured: the switch from the closed-loop maximum to an open
     * loop leaves about a second of queueing behind it (a transient of the method, not a property of
     * the server) that would otherwise decide the p99 of a 5 s run.
     */
    readonly warmupMs?: number;
  },
): Promise<LatencyResult> {
  const interval = 1000 / options.requestsPerSecond;
  const warmup = Math.floor(((options.warmupMs ?? 0) / 1000) * options.requestsPerSecond);
  const total = warmup + Math.floor((options.durationMs / 1000) * options.requestsPerSecond);
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let measuredFrom = started;
  for (let index = 0; index < total; index += 1) {
    const scheduled = started + index * interval;
    const wait = scheduled - performance.now();
    // setTimeout's 1 ms granularity: batch the requests whose time has come.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (index === warmup) measuredFrom = scheduled;
    const measured = index >= warmup;
    inFlight.push(
      send(target).then(
        (ok) => {
          if (!measured) return;
          if (ok) latencies.push(performance.now() - scheduled);
          else errors += 1;
        },
        () => {
          if (measured) errors += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    targetRate: options.requestsPerSecond,
    achievedRate: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
