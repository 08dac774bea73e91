import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { emittedInstruments, emittedSeries, prometheusName } from './emitted-metrics.js';

describe('the metric names (emitted-metrics.ts)', () => {
  it('follow the OpenTelemetry → Prometheus rules: unit suffix, _total for counters', () => {
    expect(prometheusName({ name: 'psd2.oauth.tokens.issued', kind: 'counter', unit: '{token}' })).toBe(
      'psd2_oauth_tokens_issued_total',
    );
    expect(prometheusName({ name: 'http.server.request.duration', kind: 'histogram', unit: 's' })).toBe(
      'http_server_request_duration_seconds',
    );
    expect(prometheusName({ name: 'v8js.memory.heap.used', kind: 'gauge', unit: 'By' })).toBe(
      'v8js_memory_heap_used_bytes',
    );
    expect(prometheusName({ name: 'nodejs.eventloop.utilization', kind: 'gauge', unit: '1' })).toBe(
      'nodejs_eventloop_utilization_ratio',
    );
    expect(prometheusName({ name: 'a.b_seconds', kind: 'gauge', unit: 's' })).toBe('a_b_seconds');
    expect(prometheusName({ name: 'psd2.trust.crl.failed_closed', kind: 'gauge', unit: '{ca}' })).toBe(
      'psd2_trust_crl_failed_closed',
    );
  });

  it("are read from every package's and service's source, each instrument with its unit", () => {
    const byName = new Map(emittedInstruments().map((instrument) => [instrument.name, instrument]));
    expect(byName.get('psd2.oauth.tokens.issued')).toMatchObject({ kind: 'counter', unit: '{token}' });
    expect(byName.get('http.server.request.duration')).toMatchObject({ kind: 'histogram', unit: 's' });
    expect(byName.get('psd2.oauth.grants.active')).toMatchObject({ kind: 'gauge', unit: '{grant}' });
    expect(byName.get('psd2.psu.lockouts')?.source).toBe('packages/telemetry/src/metrics.ts');
    expect(byName.get('v8js.gc.duration')?.source).toBe('packages/telemetry/src/runtime-metrics.ts');
    expect(byName.get('psd2.trust.ca.expires_in')?.source).toBe('packages/trust/src/crl-metrics.ts');
    expect(emittedSeries()).toContain('psd2_client_registry_call_duration_seconds_bucket');
  });
});

describe('emittedInstruments on a source tree', () => {
  const tree = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'emitted-metrics-'));
    mkdirSync(join(root, 'services'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };

  it('refuses an instrument without a unit, and one name used with two units; skips tests', () => {
    const noUnit = tree({ 'packages/a/src/a.ts': "m.createCounter('a.things', { description: 'd' });" });
    const twoUnits = tree({
      'packages/a/src/a.ts': "m.createGauge('a.size', { unit: 'By' });",
      'packages/b/src/b.ts': "m.createGauge('a.size', { unit: 's' });",
    });
    const testsOnly = tree({
      'packages/a/src/a.test.ts': "m.createGauge('test.gauge', { unit: 's' });",
      'packages/a/src/b.ts': "observeGauge('a.open', { description: 'd', unit: '{connection}' }, read);",
    });
    try {
      expect(() => emittedInstruments(noUnit)).toThrow(
        'packages/a/src/a.ts: instrument a.things states no unit',
      );
      expect(() => emittedInstruments(twoUnits)).toThrow('a.size is also a gauge in By');
      expect(emittedInstruments(testsOnly)).toEqual([
        { name: 'a.open', kind: 'gauge', unit: '{connection}', source: 'packages/a/src/b.ts' },
      ]);
    } finally {
      for (const root of [noUnit, twoUnits, testsOnly]) rmSync(root, { recursive: true, force: true });
    }
  });
});
