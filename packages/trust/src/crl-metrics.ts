import { meter } from '@psd2/telemetry';
import type { CaRefresh } from './crl-refresh.js';

/*
 * What an SRE alerts on (deploy/k8s/components/monitoring): per CA, the age of the CRL in force and
 * the time left before its nextUpdate (negative: the edge is refusing that CA's clients), whether
 * the CA failed closed, the time left before the CA certificate itself expires, and one count per
 * run by outcome. Gauges are recorded once per run; the CronJob's process flushes them on exit
 * (shutdownTelemetry). The `ca` attribute is the CA's CN (or SKI) and `ca.ski` its SKI: a few
 * hundred trusted CAs at most, never a per-client value.
 */

export type RunOutcome = 'ok' | 'degraded' | 'failed_closed';

export interface CaFigures {
  readonly ca: string;
  readonly ski: string;
  readonly ageSeconds?: number;
  readonly expiresInSeconds?: number;
  readonly failedClosed: boolean;
  /** Seconds until the CA certificate's notAfter: past it, the edge refuses the CA's clients too. */
  readonly certificateExpiresInSeconds: number;
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
    certificateExpiresInSeconds: Math.round(
      (result.ca.certificate.notAfter.getTime() - now.getTime()) / 1000,
    ),
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
  const certificateExpiresIn = m.createGauge('psd2.trust.ca.expires_in', {
    description: "Seconds until notAfter of a trusted CA's certificate in the edge's bundle.",
    unit: 's',
  });
  for (const figure of figures) {
    // The SKI tells apart two CAs of one name (a QTSP's re-keyed CA).
    const attributes = { ca: figure.ca, 'ca.ski': figure.ski };
    if (figure.ageSeconds !== undefined) age.record(figure.ageSeconds, attributes);
    if (figure.expiresInSeconds !== undefined) expiresIn.record(figure.expiresInSeconds, attributes);
    failedClosed.record(figure.failedClosed ? 1 : 0, attributes);
    certificateExpiresIn.record(figure.certificateExpiresInSeconds, attributes);
  }
  m.createCounter('psd2.trust.crl.refresh.runs', {
    description: 'CRL refresh runs, by outcome (ok, degraded, failed_closed).',
    unit: '{run}',
  }).add(1, { 'psd2.outcome': outcome });
}
