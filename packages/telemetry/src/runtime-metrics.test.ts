import { afterAll, describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { delaySeconds, metricsExported, startRuntimeMetrics } from './runtime-metrics.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
afterAll(async () => {
  await provider.shutdown();
});

async function collected() {
  const { resourceMetrics } = await reader.collect();
  return new Map(
    resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .map((metric) => [metric.descriptor.name, metric]),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runtime metrics', () => {
  it('report event-loop delay and utilization, heap by space and GC pauses, and stop', async () => {
    const stop = startRuntimeMetrics(provider.getMeter('runtime-test'));
    // Block the loop for 60 ms between samples, then let the monitor take a few.
    await pause(30);
    const until = Date.now() + 60;
    while (Date.now() < until) {
      // Busy on purpose: this is the delay being measured.
    }
    await pause(30);
    (globalThis as { gc?: () => void }).gc?.();
    // Garbage enough for at least a minor collection, which the observer reports asynchronously.
    for (let round = 0; round < 50; round += 1) new Array(100_000).fill(round).map(String);
    await pause(50);

    const metrics = await collected();
    const delayMax = metrics.get('nodejs.eventloop.delay.max');
    expect(delayMax?.descriptor.unit).toBe('s');
    expect(Number(delayMax?.dataPoints[0]?.value)).toBeGreaterThan(0.04);
    expect(Number(delayMax?.dataPoints[0]?.value)).toBeLessThan(5);
    const p99 = Number(metrics.get('nodejs.eventloop.delay.p99')?.dataPoints[0]?.value);
    const p50 = Number(metrics.get('nodejs.eventloop.delay.p50')?.dataPoints[0]?.value);
    expect(p99).toBeGreaterThanOrEqual(p50);
    const utilization = Number(metrics.get('nodejs.eventloop.utilization')?.dataPoints[0]?.value);
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    const heap = metrics.get('v8js.memory.heap.used');
    expect(heap?.descriptor.unit).toBe('By');
    const spaces = heap?.dataPoints.map((point) => point.attributes['v8js.heap.space.name']);
    expect(spaces).toContain('old_space');
    expect(metrics.get('v8js.memory.heap.limit')?.dataPoints.length).toBe(spaces?.length);
    const used = (heap?.dataPoints ?? []).reduce((sum, point) => sum + Number(point.value), 0);
    const sizeLimit = Number(metrics.get('psd2.runtime.heap.size_limit')?.dataPoints[0]?.value);
    expect(sizeLimit).toBeGreaterThan(used);
    const gc = metrics.get('v8js.gc.duration');
    expect(gc?.descriptor.unit).toBe('s');
    const types = gc?.dataPoints.map((point) => point.attributes['v8js.gc.type']);
    expect(types?.length).toBeGreaterThan(0);
    for (const type of types ?? []) expect(['major', 'minor', 'incremental', 'weakcb']).toContain(type);

    const gcCount = (all: typeof metrics) =>
      (all.get('v8js.gc.duration')?.dataPoints ?? []).reduce(
        (sum, point) => sum + (point.value as { count: number }).count,
        0,
      );
    const countBefore = gcCount(await collected());
    stop();
    for (let round = 0; round < 50; round += 1) new Array(100_000).fill(round).map(String);
    await pause(50);
    // Stopped: no more pauses recorded, however much garbage is made.
    expect(gcCount(await collected())).toBe(countBefore);
  });

  it("do not count the monitor's own 10 ms tick as delay", () => {
    expect(delaySeconds(10_000_000)).toBe(0);
    expect(delaySeconds(9_000_000)).toBe(0);
    expect(delaySeconds(70_000_000)).toBeCloseTo(0.06, 9);
  });

  it('run only when the SDK exports metrics', () => {
    expect(metricsExported({})).toBe(true);
    expect(metricsExported({ OTEL_METRICS_EXPORTER: 'none' })).toBe(false);
    expect(metricsExported({ OTEL_METRICS_EXPORTER: 'otlp,prometheus' })).toBe(true);
    expect(metricsExported({ OTEL_METRICS_EXPORTER: ' none ' })).toBe(false);
  });
});
