import {
  constants,
  type EventLoopUtilization,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { type BatchObservableResult, type Meter, ValueType } from '@opentelemetry/api';

/*
 * Node runtime metrics of every process that starts telemetry, under the OpenTelemetry semantic
 * conventions' names (nodejs.eventloop.*, v8js.*), so that an SRE sees a blocked event loop, a
 * growing heap or long GC pauses before they show as latency. Built on perf_hooks and v8 directly:
 * a few gauges and one histogram, with no dependency on a contrib instrumentation's release train.
 */

/** Sampling period of the event-loop delay histogram: fine enough for a token endpoint's milliseconds. */
const DELAY_RESOLUTION_MS = 10;
const NANOSECONDS_PER_SECOND = 1e9;
/** The histogram records the time between two of its timer's ticks: the tick itself is not delay. */
export function delaySeconds(nanoseconds: number): number {
  return Math.max(0, nanoseconds / NANOSECONDS_PER_SECOND - DELAY_RESOLUTION_MS / 1000);
}

const GC_TYPES: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Whether the SDK exports metrics at all (sdk.ts sets `none` when no collector is named). */
export function metricsExported(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.OTEL_METRICS_EXPORTER ?? 'otlp')
    .split(',')
    .map((name) => name.trim())
    .some((name) => name !== '' && name !== 'none');
}

/** Starts the runtime instruments on `meter`; returns the function that stops them. */
export function startRuntimeMetrics(meter: Meter): () => void {
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const delayP50 = meter.createObservableGauge('nodejs.eventloop.delay.p50', {
    description: 'Median event-loop delay since the previous collection.',
    unit: 's',
  });
  const delayP99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
    description: '99th percentile of the event-loop delay since the previous collection.',
    unit: 's',
  });
  const delayMax = meter.createObservableGauge('nodejs.eventloop.delay.max', {
    description: 'Longest event-loop delay since the previous collection.',
    unit: 's',
  });
  const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', {
    description: 'Share of the time the event loop was busy since the previous collection (0 to 1).',
    unit: '1',
  });
  const heapUsed = meter.createObservableGauge('v8js.memory.heap.used', {
    description: 'V8 heap in use, by heap space.',
    unit: 'By',
    valueType: ValueType.INT,
  });
  const heapLimit = meter.createObservableGauge('v8js.memory.heap.limit', {
    description: 'V8 heap space size, by heap space.',
    unit: 'By',
    valueType: ValueType.INT,
  });
  // No semantic-conventions name exists for V8's overall limit, the point of an out-of-memory crash.
  const heapSizeLimit = meter.createObservableGauge('psd2.runtime.heap.size_limit', {
    description: "V8's heap size limit (--max-old-space-size or V8's default): past it, the process dies.",
    unit: 'By',
    valueType: ValueType.INT,
  });
  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    description: 'Garbage collection pauses, by kind.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
  });

  let lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  const observeLoop = (result: BatchObservableResult) => {
    // An interval without a single sample (a collection right after start) has no delay to report.
    if (delay.count > 0) {
      result.observe(delayP50, delaySeconds(delay.percentile(50)));
      result.observe(delayP99, delaySeconds(delay.percentile(99)));
      result.observe(delayMax, delaySeconds(delay.max));
    }
    // Per interval, not since start: a loop stuck for the last minute must not be averaged away.
    delay.reset();
    const now = performance.eventLoopUtilization();
    result.observe(utilization, performance.eventLoopUtilization(now, lastUtilization).utilization);
    lastUtilization = now;
    result.observe(heapSizeLimit, getHeapStatistics().heap_size_limit);
    for (const space of getHeapSpaceStatistics()) {
      const attributes = { 'v8js.heap.space.name': space.space_name };
      result.observe(heapUsed, space.space_used_size, attributes);
      result.observe(heapLimit, space.space_size, attributes);
    }
  };
  const observables = [delayP50, delayP99, delayMax, utilization, heapUsed, heapLimit, heapSizeLimit];
  meter.addBatchObservableCallback(observeLoop, observables);

  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node's GC entries carry their kind in `detail` (NodeGCPerformanceDetail).
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      const type = kind === undefined ? undefined : GC_TYPES[kind];
      gcDuration.record(entry.duration / 1000, type === undefined ? {} : { 'v8js.gc.type': type });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  return () => {
    gcObserver.disconnect();
    meter.removeBatchObservableCallback(observeLoop, observables);
    delay.disable();
  };
}

/** The process-wide runtime metrics, started once by the SDK when metrics are exported (sdk.ts). */
export function startProcessRuntimeMetrics(meter: Meter, env: NodeJS.ProcessEnv = process.env): void {
  if (metricsExported(env)) startRuntimeMetrics(meter);
}
