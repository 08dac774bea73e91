import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { field, type KubeObject, OVERLAYS, REPO_ROOT, records } from './manifests.js';
import { connectionAllowed, type Labels, podLabels } from './network.js';
import { podSpecOf } from './policy.js';
import { find, findPrefixed, objectsOf } from './render-support.js';

/*
 * The crl-refresh CronJob (deploy/k8s/base/crl-refresh.yaml): it runs the trust command the image
 * builds, patches the very Secret the edge mounts and no other, and its alerts read the metric
 * names packages/trust exports.
 */

const pod = (objects: readonly KubeObject[], name: string) => ({
  pod: podLabels(objects).get(name) as Labels,
});
const INTERNET = { ip: '203.0.113.7' };

describe.each(OVERLAYS)('the crl-refresh CronJob in the %s overlay', (overlay) => {
  it("runs `trust refresh-crls --secret` on the edge's CA bundle Secret every 15 minutes, one run at a time, bounded", () => {
    const objects = objectsOf(overlay);
    const cronJob = find(objects, 'CronJob', 'crl-refresh');
    expect(field(cronJob, 'spec', 'schedule')).toBe('*/15 * * * *');
    expect(field(cronJob, 'spec', 'concurrencyPolicy')).toBe('Forbid');
    // The sandbox's demo CA publishes no CRL: suspended there, running in production.
    expect(field(cronJob, 'spec', 'suspend')).toBe(overlay === 'sandbox' ? true : undefined);
    const job = field(cronJob, 'spec', 'jobTemplate', 'spec');
    expect(field(job, 'activeDeadlineSeconds')).toBeLessThan(15 * 60);
    expect(field(job, 'backoffLimit')).toBe(1);
    const container = records(field(podSpecOf(cronJob), 'containers'))[0];
    const edgeVolumes = records(
      field(find(objects, 'Deployment', 'edge'), 'spec', 'template', 'spec', 'volumes'),
    );
    const edgeSecret = field(
      edgeVolumes.find((volume) => volume.name === 'client-ca'),
      'secret',
      'secretName',
    );
    expect(container?.args).toEqual(['dist/cli.js', 'refresh-crls', '--secret', edgeSecret]);
    expect(container?.workingDir).toBe('/app/packages/trust');
    const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN pnpm exec tsc -b (?:[^\n\\]|\\\n)*packages\/trust/);
    expect(dockerfile).toContain('ARG DEPLOYED_TOOLS="@psd2/trust..."');
    // The distribution points file the env names is the generated ConfigMap, mounted there.
    const env = Object.fromEntries(
      records(container?.env).map((variable) => [variable.name, variable.value]),
    );
    expect(env.TRUST_CRL_DISTRIBUTION_POINTS).toBe('/etc/trust/distribution-points.json');
    expect(Number(env.TRUST_CRL_GRACE_SECONDS)).toBeGreaterThan(0);
    const mount = records(container?.volumeMounts).find((m) => m.mountPath === '/etc/trust');
    const volume = records(field(podSpecOf(cronJob), 'volumes')).find((v) => v.name === mount?.name);
    const configMap = findPrefixed(objects, 'ConfigMap', 'crl-distribution-points');
    expect(field(volume, 'configMap', 'name')).toBe(configMap.metadata.name);
    expect(JSON.parse(String(field(configMap, 'data', 'distribution-points.json')))).toEqual(
      expect.any(Object),
    );
  });

  it('may get and patch that one Secret, and is, with the collector (read-only, otel-collector-rbac.yaml), the only workload given an API token', () => {
    const objects = objectsOf(overlay);
    expect(field(find(objects, 'Role', 'crl-refresh'), 'rules')).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['qtsp-ca-bundle'], verbs: ['get', 'patch'] },
    ]);
    const binding = find(objects, 'RoleBinding', 'crl-refresh');
    expect(field(binding, 'roleRef')).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'crl-refresh',
    });
    expect(field(binding, 'subjects')).toEqual([
      {
        kind: 'ServiceAccount',
        name: 'crl-refresh',
        namespace: find(objects, 'CronJob', 'crl-refresh').metadata.namespace,
      },
    ]);
    expect(
      objects
        .filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole')
        .map((o) => o.metadata.name),
    ).toEqual(['crl-refresh', 'psd2-otel-collector']);
    const withToken = objects
      .filter((object) => podSpecOf(object) !== undefined)
      .filter((object) => field(podSpecOf(object), 'automountServiceAccountToken') !== false)
      .map((object) => [object.metadata.name, field(podSpecOf(object), 'serviceAccountName')]);
    expect(withToken.sort()).toEqual([
      ['crl-refresh', 'crl-refresh'],
      ['otel-collector', 'otel-collector'],
    ]);
  });

  it('reaches the distribution points on http and the collector, and nothing of ours; nothing reaches it', () => {
    const objects = objectsOf(overlay);
    const job = pod(objects, 'crl-refresh');
    expect(connectionAllowed(objects, job, INTERNET, 80)).toBe(true);
    expect(connectionAllowed(objects, job, pod(objects, 'otel-collector'), 4318)).toBe(true);
    expect(connectionAllowed(objects, job, { ip: '10.96.0.1' }, 443)).toBe(true);
    for (const [name, port] of [
      ['client-registry', 50051],
      ['token', 8083],
      ['edge', 8443],
    ] as const) {
      expect({ name, allowed: connectionAllowed(objects, job, pod(objects, name), port) }).toEqual({
        name,
        allowed: false,
      });
    }
    expect(connectionAllowed(objects, job, { ip: '10.20.30.40' }, 5432)).toBe(false);
    expect(connectionAllowed(objects, job, { ip: '10.20.30.40' }, 6379)).toBe(false);
    for (const name of ['edge', 'token', 'otel-collector']) {
      expect(connectionAllowed(objects, pod(objects, name), job, 8080)).toBe(false);
    }
  });
});

describe('the CRL alerts', () => {
  const metricsSource = readFileSync(join(REPO_ROOT, 'packages', 'trust', 'src', 'crl-metrics.ts'), 'utf8');
  /** The OpenTelemetry names with their units, as the Prometheus exporters name them. */
  const exported = [
    ...metricsSource.matchAll(/create(Gauge|Counter)\(\s*'([^']+)',\s*\{[^}]*?unit: '([^']*)'/g),
  ].map(
    ([, kind, name, unit]) =>
      `${(name ?? '').replace(/\./g, '_')}${unit === 's' ? '_seconds' : ''}${kind === 'Counter' ? '_total' : ''}`,
  );

  it('are rendered in production (PrometheusRule) and not in the sandbox, which has no Prometheus Operator', () => {
    expect(objectsOf('sandbox').filter((object) => object.kind === 'PrometheusRule')).toEqual([]);
    const rule = find(objectsOf('production'), 'PrometheusRule', 'crl-refresh');
    const alerts = records(field(rule, 'spec', 'groups')).flatMap((group) => records(group.rules));
    expect(alerts.map((alert) => alert.alert)).toEqual([
      'Psd2CrlExpired',
      'Psd2CrlFailedClosed',
      'Psd2CrlExpiresSoon',
      'Psd2CrlOld',
      'Psd2CrlRefreshNotSucceeding',
      'Psd2CrlRefreshSilent',
    ]);
    expect(exported).toEqual([
      'psd2_trust_crl_age_seconds',
      'psd2_trust_crl_expires_in_seconds',
      'psd2_trust_crl_failed_closed',
      'psd2_trust_ca_expires_in_seconds',
      'psd2_trust_crl_refresh_runs_total',
    ]);
    // Every psd2_trust_* series an alert reads is one the job exports, and every CRL one is read.
    // (The CA certificate's expiry is alerted on in service-alerts.yaml.)
    const used = alerts.flatMap((alert) => String(alert.expr).match(/psd2_trust_[a-z_]+/g) ?? []);
    expect(used.filter((name) => !exported.includes(name))).toEqual([]);
    expect(new Set(used)).toEqual(new Set(exported.filter((name) => name.startsWith('psd2_trust_crl_'))));
    expect(String(alerts.find((alert) => alert.alert === 'Psd2CrlRefreshNotSucceeding')?.expr)).toContain(
      'kube_cronjob_status_last_successful_time{cronjob="crl-refresh"}',
    );
  });
});
