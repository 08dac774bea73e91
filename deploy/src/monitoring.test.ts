import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { emittedInstruments, emittedSeries, prometheusName } from './emitted-metrics.js';
import { DEPLOY_DIR, field, isRecord, type KubeObject, REPO_ROOT, records } from './manifests.js';
import { connectionAllowed, podLabels } from './network.js';
import { metricNamesIn } from './promql.js';
import { find, objectsOf } from './render-support.js';
import { schemaErrors } from './schema.js';

/*
 * The SRE kit of deploy/k8s/components/monitoring: the Grafana dashboard and the Prometheus rules
 * read only series the product emits (read from its source, emitted-metrics.ts), every alert has its
 * runbook, and the collector exposes the metrics they need.
 */

const COMPONENT = join(DEPLOY_DIR, 'k8s', 'components', 'monitoring');
const DASHBOARD_TEXT = readFileSync(join(COMPONENT, 'dashboards', 'psd2-authorization-server.json'), 'utf8');
const RUNBOOKS = readFileSync(join(REPO_ROOT, 'docs', 'runbooks.md'), 'utf8');
const RUNBOOK_BASE = 'https://github.com/bank/psd2-auth/blob/main/docs/runbooks.md#';
/** Series from outside the product that a rule reads: kube-state-metrics. */
const EXTERNAL_SERIES = new Set(['kube_cronjob_status_last_successful_time']);

const production = () => objectsOf('production');
const rules = () =>
  production()
    .filter((object) => object.kind === 'PrometheusRule')
    .flatMap((rule) => records(field(rule, 'spec', 'groups')).flatMap((group) => records(group.rules)));
const alerts = () => rules().filter((rule) => typeof rule.alert === 'string');
const recorded = () =>
  new Set(rules().flatMap((rule) => (typeof rule.record === 'string' ? [rule.record] : [])));

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; w: number; h: number };
  readonly datasource?: unknown;
  readonly targets?: ReadonlyArray<{ refId?: string; expr?: string }>;
}
const dashboard = JSON.parse(DASHBOARD_TEXT) as { panels: Panel[] } & Record<string, unknown>;
const queries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => String(target.expr)),
);

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
const runbookAnchors = [...RUNBOOKS.matchAll(/^## (.+)$/gm)].map(([, heading]) => anchorOf(heading ?? ''));

describe('the Grafana dashboard', () => {
  it('is a dashboard: uid, title, schema version, panels laid out on the 24-column grid', () => {
    expect(dashboard).toMatchObject({ uid: 'psd2-auth-server', title: expect.any(String) });
    expect(dashboard.schemaVersion).toEqual(expect.any(Number));
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.title).toEqual(expect.any(String));
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax.
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.refId).toMatch(/^[A-Z]$/);
        expect(target.expr).toEqual(expect.any(String));
      }
    }
  });

  it('queries only series the product emits or the rules record', () => {
    const known = new Set([...emittedSeries(), ...recorded()]);
    const variableQueries = JSON.stringify(dashboard.templating).match(/label_values\((\w+),/g) ?? [];
    const used = [
      ...queries.flatMap((expr) => metricNamesIn(expr)),
      ...variableQueries.map((query) => query.slice('label_values('.length, -1)),
    ];
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('shows every metric the product emits', () => {
    const used = new Set(queries.flatMap((expr) => metricNamesIn(expr)));
    const shown = (family: string) =>
      [...used].some((name) => name === family || name.startsWith(`${family}_`));
    const missing = emittedInstruments()
      .map((instrument) => prometheusName(instrument))
      .filter((family) => !shown(family));
    expect(missing).toEqual([]);
  });

  it('ships as a ConfigMap for the Grafana sidecar, byte for byte, in production only', () => {
    const configMap = find(production(), 'ConfigMap', 'psd2-grafana-dashboard');
    expect(field(configMap, 'metadata', 'labels', 'grafana_dashboard')).toBe('1');
    expect(field(configMap, 'data', 'psd2-authorization-server.json')).toBe(DASHBOARD_TEXT);
    expect(objectsOf('sandbox').some((object) => object.metadata.name === 'psd2-grafana-dashboard')).toBe(
      false,
    );
  });
});

describe('the Prometheus rules', () => {
  it('are valid PrometheusRules: the token SLO, the services and the CRL refresh', async () => {
    const objects = production().filter((object) => object.kind === 'PrometheusRule');
    expect(objects.map((object) => object.metadata.name).sort()).toEqual([
      'crl-refresh',
      'psd2-services',
      'psd2-token-slo',
    ]);
    for (const object of objects) expect(await schemaErrors(object)).toEqual([]);
  });

  it('read only series the product emits, their own recordings, or kube-state-metrics', () => {
    const known = new Set([...emittedSeries(), ...recorded(), ...EXTERNAL_SERIES]);
    const used = rules().flatMap((rule) => metricNamesIn(String(rule.expr)));
    expect(used.filter((name) => !known.has(name))).toEqual([]);
    // Every recording is read by an alert or the dashboard: none is computed for nothing.
    const read = new Set([...used, ...queries.flatMap((expr) => metricNamesIn(expr))]);
    expect([...recorded()].filter((name) => !read.has(name))).toEqual([]);
  });

  it('select services by the names their Deployments give them (OTEL_SERVICE_NAME)', () => {
    const names = new Set(
      production().flatMap((object) =>
        records(field(object, 'spec', 'template', 'spec', 'containers'))
          .flatMap((container) => records(container.env))
          .filter((variable) => variable.name === 'OTEL_SERVICE_NAME')
          .map((variable) => String(variable.value)),
      ),
    );
    const selected = [...rules().map((rule) => String(rule.expr)), ...queries].flatMap((expr) =>
      [...expr.matchAll(/\bjob="([^"]+)"/g)].map(([, job]) => job),
    );
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.filter((job) => !names.has(job ?? ''))).toEqual([]);
  });

  it('alert on the token SLOs with fast and slow burn rates over two windows each', () => {
    const expr = (name: string) => String(alerts().find((alert) => alert.alert === name)?.expr);
    const fast = expr('Psd2TokenAvailabilityBudgetBurnFast');
    for (const part of [
      'ratio_rate1h > (14.4 * 0.0005)',
      'ratio_rate5m > (14.4 * 0.0005)',
      'ratio_rate6h > (6 * 0.0005)',
    ])
      expect(fast).toContain(part);
    expect(expr('Psd2TokenAvailabilityBudgetBurnSlow')).toContain('ratio_rate3d > (1 * 0.0005)');
    expect(expr('Psd2TokenLatencyBudgetBurnFast')).toContain(
      'psd2:token_request_slow:ratio_rate1h > (14.4 * 0.01)',
    );
    const sli = rules().find((rule) => rule.record === 'psd2:token_request_slow:ratio_rate5m');
    expect(String(sli?.expr)).toContain('le="0.25"');
  });

  it('each have a severity, a summary and a runbook_url pointing at their own section of docs/runbooks.md', () => {
    const names = alerts().map((alert) => String(alert.alert));
    expect(names.length).toBeGreaterThanOrEqual(19);
    for (const alert of alerts()) {
      const anchor = String(alert.alert).toLowerCase();
      expect({ alert: alert.alert, severity: field(alert, 'labels', 'severity') }).toEqual({
        alert: alert.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(field(alert, 'annotations', 'summary')).toEqual(expect.any(String));
      expect(field(alert, 'annotations', 'runbook_url')).toBe(`${RUNBOOK_BASE}${anchor}`);
      expect({ alert: alert.alert, hasSection: runbookAnchors.includes(anchor) }).toEqual({
        alert: alert.alert,
        hasSection: true,
      });
    }
    // And no section for an alert that no longer exists.
    const alertAnchors = new Set(names.map((name) => name.toLowerCase()));
    expect(runbookAnchors.filter((anchor) => anchor.startsWith('psd2') && !alertAnchors.has(anchor))).toEqual(
      [],
    );
  });
});

describe('the collector', () => {
  const collectorConfig = (objects: readonly KubeObject[]) => {
    const configMap = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('otel-collector-config-'),
    );
    return String(field(configMap, 'data', 'config.yaml'));
  };

  it.each(['sandbox', 'production'] as const)(
    'labels telemetry with k8sattributes and serves metrics to Prometheus on 8889 (%s)',
    async (overlay) => {
      const { parse } = await import('yaml');
      const config: unknown = parse(collectorConfig(objectsOf(overlay)));
      const pipelines = field(config, 'service', 'pipelines');
      if (!isRecord(pipelines)) throw new Error('no pipelines');
      for (const [name, pipeline] of Object.entries(pipelines)) {
        expect({ name, processors: field(pipeline, 'processors') }).toEqual({
          name,
          processors: expect.arrayContaining(['k8sattributes']),
        });
        expect(field(pipeline, 'exporters')).toContain('debug');
      }
      expect(field(pipelines, 'metrics', 'exporters')).toEqual(['debug', 'prometheus']);
      expect(field(config, 'exporters', 'prometheus', 'endpoint')).toBe('0.0.0.0:8889');
      expect(field(config, 'processors', 'k8sattributes', 'filter', 'namespace')).toBe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own variable syntax.
        '${env:K8S_NAMESPACE}',
      );
      const objects = objectsOf(overlay);
      const deployment = find(objects, 'Deployment', 'otel-collector');
      const container = records(field(deployment, 'spec', 'template', 'spec', 'containers'))[0];
      expect(records(container?.env).find((variable) => variable.name === 'K8S_NAMESPACE')).toEqual({
        name: 'K8S_NAMESPACE',
        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
      });
      expect(records(container?.ports).find((port) => port.containerPort === 8889)?.name).toBe('metrics');
      const service = find(objects, 'Service', 'otel-collector');
      expect(records(field(service, 'spec', 'ports')).find((port) => port.name === 'metrics')).toMatchObject({
        port: 8889,
        targetPort: 'metrics',
      });
    },
  );

  it.each(['sandbox', 'production'] as const)(
    'may read pods, ReplicaSets and namespaces, nothing else, with its own ServiceAccount (%s)',
    (overlay) => {
      const objects = objectsOf(overlay);
      const deployment = find(objects, 'Deployment', 'otel-collector');
      const pod = field(deployment, 'spec', 'template', 'spec');
      expect(field(pod, 'serviceAccountName')).toBe('otel-collector');
      expect(field(pod, 'automountServiceAccountToken')).toBe(true);
      expect(field(find(objects, 'ServiceAccount', 'otel-collector'), 'automountServiceAccountToken')).toBe(
        false,
      );
      expect(field(find(objects, 'ClusterRole', 'psd2-otel-collector'), 'rules')).toEqual([
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'watch', 'list'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'watch', 'list'] },
      ]);
      const binding = find(objects, 'ClusterRoleBinding', 'psd2-otel-collector');
      expect(field(binding, 'roleRef')).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'psd2-otel-collector',
      });
      expect(field(binding, 'subjects')).toEqual([
        { kind: 'ServiceAccount', name: 'otel-collector', namespace: deployment.metadata.namespace },
      ]);
    },
  );

  it("is scraped by the cluster's Prometheus in production, and by nothing else", async () => {
    const objects = production();
    const monitor = find(objects, 'ServiceMonitor', 'otel-collector');
    expect(await schemaErrors(monitor)).toEqual([]);
    const service = find(objects, 'Service', 'otel-collector');
    for (const [label, value] of Object.entries(field(monitor, 'spec', 'selector', 'matchLabels') ?? {}))
      expect(field(service, 'metadata', 'labels', label)).toBe(value);
    expect(records(field(monitor, 'spec', 'endpoints'))).toEqual([
      { port: 'metrics', path: '/metrics', interval: '30s', honorLabels: true },
    ]);
    const collector = { pod: podLabels(objects).get('otel-collector') ?? {} };
    const prometheus = {
      pod: { 'app.kubernetes.io/name': 'prometheus' },
      namespace: { 'kubernetes.io/metadata.name': 'monitoring' },
    };
    expect(connectionAllowed(objects, prometheus, collector, 8889)).toBe(true);
    expect(connectionAllowed(objects, prometheus, collector, 4318)).toBe(false);
    const token = { pod: podLabels(objects).get('token') ?? {} };
    expect(connectionAllowed(objects, token, collector, 8889)).toBe(false);
    expect(objectsOf('sandbox').some((object) => object.kind === 'ServiceMonitor')).toBe(false);
  });

  it('refuses a ServiceMonitor without a selector or with an unknown endpoint field', async () => {
    const broken: KubeObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'broken' },
      spec: { endpoints: [{ port: 'metrics', intervall: '30s', interval: 'soon' }] },
    };
    expect(await schemaErrors(broken)).toEqual([
      'ServiceMonitor/broken: /spec/selector/matchLabels must select the Service',
      'ServiceMonitor/broken: /spec/endpoints/0/intervall is not a field this check knows',
      'ServiceMonitor/broken: /spec/endpoints/0/interval must be a duration such as 30s',
    ]);
  });
});
