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
