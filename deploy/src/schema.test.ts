import { describe, expect, it } from '@jest/globals';
import { unknownFields } from './fields.js';
import { parseManifests } from './manifests.js';
import { schemaErrors } from './schema.js';

/* The schema and field checks the render tests rely on, held to objects that break them. */

describe('schema validation', () => {
  it('rejects an object that breaks the Kubernetes schema', async () => {
    const [deployment] = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
  selector: { matchLabels: { app: broken } }
  template:
    metadata: { labels: { app: broken } }
    spec:
      containers:
        - name: app
          image: example/app:1.0.0
          ports: [{ containerPort: "eighty" }]
`);
    if (deployment === undefined) throw new Error('no object parsed');
    expect(await schemaErrors(deployment)).toEqual([
      'Deployment/broken: /spec/template/spec/containers/0/ports/0/containerPort must be integer',
    ]);
  });

  it('reports misspelt fields, which the schemas alone let through', () => {
    const [deployment] = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: misspelt, labelz: {} }
spec:
  selector: { matchLabels: { app: misspelt } }
  template:
    spec:
      containers:
        - name: app
          image: example/app:1.0.0
          readinesProbe: { httpGet: { path: /readyz, port: 8080 } }
          resources: { limits: { cpu: "1" }, limitz: {} }
          securityContext: { capabilities: { drop: [ALL], dorp: [] } }
`);
    if (deployment === undefined) throw new Error('no object parsed');
    expect(unknownFields(deployment)).toEqual([
      'Deployment/misspelt: /metadata/labelz is not a field of this object',
      'Deployment/misspelt: /spec/template/spec/containers/0/readinesProbe is not a field of this object',
      'Deployment/misspelt: /spec/template/spec/containers/0/resources/limitz is not a field of this object',
      'Deployment/misspelt: /spec/template/spec/containers/0/securityContext/capabilities/dorp is not a field of this object',
    ]);
  });

  it('rejects a kind it has no schema for', async () => {
    const [object] = parseManifests('apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n');
    if (object === undefined) throw new Error('no object parsed');
    expect(await schemaErrors(object)).toEqual(['Widget/w: no schema for example.com/v1 Widget']);
  });
});

describe('known custom resources (custom-resources.ts)', () => {
  it('checks a PrometheusRule by hand, strictly, since no compiled schema exists for it', async () => {
    const [rule] = parseManifests(`
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: { name: rules }
spec:
  groups:
    - name: ok
      rules:
        - alert: Fine
          expr: up == 0
          for: 15m
          labels: { severity: warning }
    - name: broken
      rules:
        - alert: NoExpr
          fro: 5m
        - alert: Both
          record: both
          expr: up
          for: soon
          labels: { severity: 3 }
`);
    if (rule === undefined) throw new Error('no object parsed');
    expect(await schemaErrors(rule)).toEqual([
      'PrometheusRule/rules: /spec/groups/1/rules/0/fro is not a field of a rule',
      'PrometheusRule/rules: /spec/groups/1/rules/0/expr must be a PromQL string',
      'PrometheusRule/rules: /spec/groups/1/rules/1 needs exactly one of alert and record',
      'PrometheusRule/rules: /spec/groups/1/rules/1/for must be a duration such as 15m',
      'PrometheusRule/rules: /spec/groups/1/rules/1/labels/severity must be a string',
    ]);
    expect(unknownFields(rule)).toEqual([]);
  });

  it('still refuses another kind of the same group, which it does not know', async () => {
    const [monitor] = parseManifests(
      'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: { name: m }\n',
    );
    if (monitor === undefined) throw new Error('no object parsed');
    expect(await schemaErrors(monitor)).toEqual([
      'PodMonitor/m: no schema for monitoring.coreos.com/v1 PodMonitor',
    ]);
  });
});
