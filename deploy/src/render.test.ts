import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { unknownFields } from './fields.js';
import { field, OVERLAYS, REPO_ROOT, records } from './manifests.js';
import { find, findPrefixed, objectsOf } from './render-support.js';
import { allSchemaErrors } from './schema.js';

/* Both overlays render into valid, namespaced objects: the workloads, their Services and the edge. */

const HTTP_SERVICES = { registration: 8081, authorization: 8082, token: 8083, revocation: 8084 } as const;
const STATELESS = [...Object.keys(HTTP_SERVICES), 'client-registry', 'edge', 'otel-collector'];

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('renders with kubectl kustomize into namespaced objects', () => {
    const objects = objectsOf(overlay);
    expect(objects.length).toBeGreaterThan(30);
    const namespace = find(objects, 'Namespace', overlay === 'sandbox' ? 'psd2-sandbox' : 'psd2-auth');
    expect(field(namespace, 'metadata', 'labels', 'pod-security.kubernetes.io/enforce')).toBe('restricted');
    for (const object of objects) {
      if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe(namespace.metadata.name);
    }
  });

  it('validates every object against the Kubernetes schemas', async () => {
    expect(await allSchemaErrors(objectsOf(overlay))).toEqual([]);
  });

  it('uses no field its Kubernetes type does not declare', () => {
    expect(objectsOf(overlay).flatMap((object) => unknownFields(object))).toEqual([]);
  });

  it('has a Deployment, Service, HPA and PDB for every stateless service', () => {
    const objects = objectsOf(overlay);
    for (const name of STATELESS) {
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
        expect(find(objects, kind, name).metadata.name).toBe(name);
      }
      const spread = records(
        field(find(objects, 'Deployment', name), 'spec', 'template', 'spec', 'topologySpreadConstraints'),
      );
      expect(spread.map((constraint) => constraint.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
    }
  });

  it('keeps the Service names and ports envoy/envoy.yaml routes to', () => {
    const objects = objectsOf(overlay);
    for (const [name, port] of Object.entries(HTTP_SERVICES)) {
      expect(records(field(find(objects, 'Service', name), 'spec', 'ports')).map((p) => p.port)).toEqual([
        port,
      ]);
    }
    expect(
      records(field(find(objects, 'Service', 'otel-collector'), 'spec', 'ports')).map((p) => p.port),
    ).toContain(4317);
  });

  it('generates the Envoy ConfigMap from the files in envoy/, byte for byte', () => {
    const configMap = findPrefixed(objectsOf(overlay), 'ConfigMap', 'envoy-config');
    for (const file of ['envoy.yaml', 'sds-server-certificate.yaml', 'sds-client-ca.yaml']) {
      expect(field(configMap, 'data', file)).toBe(readFileSync(join(REPO_ROOT, 'envoy', file), 'utf8'));
    }
  });

  it('mounts the edge configuration and TLS Secrets where envoy/*.yaml expects them', () => {
    const edge = find(objectsOf(overlay), 'Deployment', 'edge');
    const pod = field(edge, 'spec', 'template', 'spec');
    const container = records(field(pod, 'containers'))[0];
    const mounts = Object.fromEntries(records(container?.volumeMounts).map((m) => [m.name, m.mountPath]));
    expect(mounts).toMatchObject({
      config: '/etc/envoy/config',
      'edge-tls': '/etc/envoy/tls',
      'client-ca': '/etc/envoy/client-ca',
    });
    expect(container?.args).toEqual(expect.arrayContaining(['/etc/envoy/config/envoy.yaml']));
    const volumes = Object.fromEntries(records(field(pod, 'volumes')).map((v) => [v.name, v]));
    expect(field(volumes, 'edge-tls', 'secret', 'secretName')).toBe('edge-tls');
    expect(field(volumes, 'client-ca', 'secret', 'secretName')).toBe('qtsp-ca-bundle');
    expect(String(field(volumes, 'config', 'configMap', 'name'))).toMatch(/^envoy-config-/);
    // Whole-volume mounts only: a subPath mount is never updated, which would defeat SDS reloads.
    expect(records(container?.volumeMounts).filter((m) => m.subPath !== undefined)).toEqual([]);
  });
});
