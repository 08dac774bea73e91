import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './manifests.js';

/*
 * The metrics the product emits, read from its source rather than listed by hand, and the names
 * Prometheus gives them. The dashboard and the alerting rules (deploy/k8s/components/monitoring)
 * are checked against these, so renaming an instrument without them fails a test.
 *
 * THE NAMING CONVENTION (the one place it is stated): the collector's `prometheus` exporter
 * (opentelemetry-collector-contrib 0.128, default `add_metric_suffixes: true`, the OpenTelemetry →
 * Prometheus compatibility rules, also used by `prometheusremotewrite`) turns an OpenTelemetry
 * instrument into series names thus:
 *   1. every character outside [a-zA-Z0-9_:] becomes `_` (`psd2.oauth.errors` → `psd2_oauth_errors`);
 *   2. the unit adds a suffix unless the name already ends with it: `s` → `_seconds`,
 *      `ms` → `_milliseconds`, `By` → `_bytes`; `1` → `_ratio` on gauges only; annotations in braces
 *      (`{token}`) add nothing;
 *   3. a counter (monotonic sum) adds `_total`; a histogram is three series, `_bucket` (with `le`),
 *      `_sum` and `_count`; gauges and up-down counters are one series as named;
 *   4. attributes become labels by rule 1 (`http.route` → `http_route`); the resource's
 *      `service.name` becomes `job`, and with `resource_to_telemetry_conversion` every resource
 *      attribute a label too (`k8s.pod.name` → `k8s_pod_name`).
 */

export type InstrumentKind = 'counter' | 'histogram' | 'gauge' | 'updowncounter';

export interface EmittedInstrument {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  /** Where it is created (first occurrence), relative to the repository. */
  readonly source: string;
}

const CREATORS: Readonly<Record<string, InstrumentKind>> = {
  createCounter: 'counter',
  createObservableCounter: 'counter',
  createHistogram: 'histogram',
  createGauge: 'gauge',
  createObservableGauge: 'gauge',
  // packages/telemetry's helper for an observable gauge.
  observeGauge: 'gauge',
  createUpDownCounter: 'updowncounter',
  createObservableUpDownCounter: 'updowncounter',
};

const CREATION = new RegExp(`\\b(${Object.keys(CREATORS).join('|')})\\(\\s*(['"\`]?)([^'"\`,)\\s]*)\\2`, 'g');
const UNIT = /\bunit:\s*'([^']*)'/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test(-support)?\.ts$|\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every instrument the product's code creates, from packages/*\/src and services/*\/src. */
export function emittedInstruments(root: string = REPO_ROOT): EmittedInstrument[] {
  const files = ['packages', 'services'].flatMap((top) =>
    readdirSync(join(root, top)).flatMap((name) => {
      const src = join(root, top, name, 'src');
      try {
        return sourceFiles(src);
      } catch {
        return [];
      }
    }),
  );
  const found = new Map<string, EmittedInstrument>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const calls = [...text.matchAll(CREATION)];
    calls.forEach((call, index) => {
      const [, creator = '', quote, name = ''] = call;
      // The helper's own definition (observeGauge(name: string, …)) and creations from a variable.
      if (quote === '' || name === '') return;
      const end = calls[index + 1]?.index ?? text.length;
      const unit = text.slice(call.index, end).match(UNIT)?.[1];
      const source = relative(root, file);
      if (unit === undefined) throw new Error(`${source}: instrument ${name} states no unit`);
      const kind = CREATORS[creator] as InstrumentKind;
      const known = found.get(name);
      if (known !== undefined && (known.kind !== kind || known.unit !== unit)) {
        throw new Error(`${source}: ${name} is also a ${known.kind} in ${known.unit} (${known.source})`);
      }
      if (known === undefined) found.set(name, { name, kind, unit, source });
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const UNIT_SUFFIXES: Readonly<Record<string, string>> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };

/** Rule 1 of the convention: an attribute or instrument name as a Prometheus name. */
export function prometheusLabel(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

/** The metric family name of one instrument (rules 1 and 2, then `_total` for counters). */
export function prometheusName(instrument: Pick<EmittedInstrument, 'name' | 'kind' | 'unit'>): string {
  const base = prometheusLabel(instrument.name);
  const unitSuffix =
    instrument.unit === '1'
      ? instrument.kind === 'gauge'
        ? 'ratio'
        : undefined
      : UNIT_SUFFIXES[instrument.unit];
  const withUnit =
    unitSuffix === undefined || base.endsWith(`_${unitSuffix}`) ? base : `${base}_${unitSuffix}`;
  return instrument.kind === 'counter' ? `${withUnit}_total` : withUnit;
}

/** Every series name one instrument gives in Prometheus (rule 3). */
export function prometheusSeries(instrument: Pick<EmittedInstrument, 'name' | 'kind' | 'unit'>): string[] {
  const name = prometheusName(instrument);
  return instrument.kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/** Every series name the product emits. */
export function emittedSeries(root: string = REPO_ROOT): Set<string> {
  return new Set(emittedInstruments(root).flatMap((instrument) => prometheusSeries(instrument)));
}
