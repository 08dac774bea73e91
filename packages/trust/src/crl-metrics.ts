import { meter } from '@psd2/telemetry';
import type { CaRefresh } from './crl-refresh.js';

/*
 * What an SRE alerts on (deploy/k8s/components/monitoring): per CA, the age of the CRL in force and
 * the time left before its nextUpdate (negative: the edge is refusing that CA's clients), whether
 * the CA failed closed, and one count per run by outcome. Gauges are recorded once per run; the
 * CronJob's process flushes them on exit (shutdownTelemetry). The `ca` attribute is the CA's CN (or
 * SKI) and `ca.ski` its SKI: a few hundred trusted CAs at most, never a per-client value.
 */

export type RunOutcome = 'ok' | 'degraded' | 'failed_closed';

export interface CaFigures {
  readonly ca: string;
  readonly ski: string;
  readonly ageSeconds?: number;
  readonly expiresInSeconds?: number;
  readonly failedClosed: boolean;
}

export function figuresOf(result: CaRefresh, now: Date): CaFigures {
  const crl = result.crl;
  const nextUpdate = crl?.nextUpdate;
  return {
    ca: result.ca.label,
    ski: result.ca.ski,
    ...(crl === undefined
      ? {}
      : { ageSeconds: Math.round((now.getTime() - crl.thisUpdate.getTime()) / 1000) }),
    ...(nextUpdate === undefined
      ? {}
      : { expiresInSeconds: Math.round((nextUpdate.getTime() - now.getTime()) / 1000) }),
    failedClosed: result.outcome === 'failed-closed',
  };
}

export function runOutcome(results: readonly CaRefresh[]): RunOutcome {
  if (results.some((result) => result.outcome === 'failed-closed')) return 'failed_closed';
  if (results.some((result) => result.outcome === 'kept' || result.outcome === 'stale')) return 'degraded';
  return 'ok';
}

export function recordCrlMetrics(figures: readonly CaFigures[], outcome: RunOutcome): void {
  const m = meter();
  const age = m.createGauge('psd2.trust.crl.age', {
    description: 'Seconds since thisUpdate of the CRL in force for a trusted CA.',
    unit: 's',
  });
  const expiresIn = m.createGauge('psd2.trust.crl.expires_in', {
    description:
      "Seconds until nextUpdate of the CRL in force for a trusted CA; negative: the edge refuses the CA's clients.",
    unit: 's',
  });
  const failedClosed = m.createGauge('psd2.trust.crl.failed_closed', {
    description:
      '1 when the last refresh failed closed for a trusted CA (no CRL, or stale beyond the grace).',
    unit: '{ca}',
  });
  for (const figure of figures) {
    // The SKI tells apart two CAs of one name (a QTSP's re-keyed CA).
    const attributes = { ca: figure.ca, 'ca.ski': figure.ski };
    if (figure.ageSeconds !== undefined) age.record(figure.ageSeconds, attributes);
    if (figure.expiresInSeconds !== undefined) expiresIn.record(figure.expiresInSeconds, attributes);
    failedClosed.record(figure.failedClosed ? 1 : 0, attributes);
  }
  m.createCounter('psd2.trust.crl.refresh.runs', {
    description: 'CRL refresh runs, by outcome (ok, degraded, failed_closed).',
    unit: '{run}',
  }).add(1, { 'psd2.outcome': outcome });
}
