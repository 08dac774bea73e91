import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { unknownFields } from './fields.js';
import { field, OVERLAYS, REPO_ROOT, records } from './manifests.js';
import { find, findPrefixed, firstContainer, objectsOf } from './render-support.js';
import { allSchemaErrors } from './schema.js';

/* Both overlays render into valid, namespaced objects: the workloads, their Services and the edge. */

const HTTP_SERVICES = { registration: 8081, authorization: 8082, token: 8083, revocation: 8084 } as const;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const STATELESS = [
  ...Object.keys(HTTP_SERVICES),
  'client-registry',
  'payment-consent',
  'edge',
  'otel-collector',
];

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('renders with kubectl kustomize into namespaced objects', () => {
    const objects = objectsOf(overlay);
    expect(objects.length).toBeGreaterThan(30);
    const namespace = find(objects, 'Namespace', overlay === 'sandbox' ? 'psd2-sandbox' : 'psd2-auth');
    expect(field(namespace, 'metadata', 'labels', 'pod-security.kubernetes.io/enforce')).toBe('restricted');
    for (const object of objects) {
      // The collector's ClusterRole and its binding (otel-collector-rbac.yaml) have no namespace.
      if (!CLUSTER_SCOPED.has(object.kind)) expect(object.metadata.namespace).toBe(namespace.metadata.name);
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

  it('serves the payment-consent API inside the cluster only, probed with grpc.health.v1', () => {
    const objects = objectsOf(overlay);
    const service = find(objects, 'Service', 'payment-consent');
    expect(field(service, 'spec', 'type')).toBe('ClusterIP');
    expect(records(field(service, 'spec', 'ports')).map((p) => [p.port, p.appProtocol])).toEqual([
      [50052, 'grpc'],
    ]);
    const container = firstContainer(find(objects, 'Deployment', 'payment-consent'));
    expect(field(container, 'readinessProbe', 'grpc')).toEqual({
      port: 50052,
      service: 'psd2.paymentconsent.v1.PaymentConsentService',
    });
    const settings = findPrefixed(objects, 'ConfigMap', 'payment-consent-settings');
    expect(field(settings, 'data', 'PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS')).toBe('900');
    expect(records(container?.envFrom).map((source) => field(source, 'configMapRef', 'name'))).toContain(
      settings.metadata.name,
    );
    // Never routed by the edge: Envoy's configuration does not know it.
    expect(readFileSync(join(REPO_ROOT, 'envoy', 'envoy.yaml'), 'utf8')).not.toContain('payment-consent');
  });

  it('builds, in the one image, every service a Deployment runs', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
    const build = dockerfile.match(/RUN pnpm exec tsc -b ((?:[^\n\\]|\\\n)*)/)?.[1] ?? '';
    for (const object of objectsOf(overlay).filter((o) => o.kind === 'Deployment')) {
      const workingDir = String(firstContainer(object)?.workingDir ?? '');
      const service = /^\/app\/(services\/[a-z-]+)$/.exec(workingDir)?.[1];
      if (service !== undefined)
        expect({ service, built: build.includes(service) }).toEqual({ service, built: true });
    }
  });

  it('generates the Envoy ConfigMap from the files in envoy/, byte for byte', () => {
    const configMap = findPrefixed(objectsOf(overlay), 'ConfigMap', 'envoy-config');
    for (const file of [
      'envoy.yaml',
      'sds-server-certificate.yaml',
      'sds-client-ca.yaml',
      'sds-upstream-tls.yaml',
    ]) {
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
