import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEPLOY_DIR, field, type KubeObject, OVERLAYS, REPO_ROOT, records } from './manifests.js';
import { podSpecOf } from './policy.js';
import { find, findPrefixed, firstContainer, objectsOf } from './render-support.js';

/*
 * Identity, start-up order, probes, TLS material and images of the rendered workloads (issue 19):
 * what each pod runs as, what runs before it, how the kubelet probes it, what it mounts.
 */

const HTTP_SERVICES = { registration: 8081, authorization: 8082, token: 8083, revocation: 8084 } as const;

function envOf(container: unknown): Record<string, unknown> {
  return Object.fromEntries(records(field(container, 'env')).map((variable) => [variable.name, variable]));
}

function workloads(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((object) => ['Deployment', 'Job', 'CronJob'].includes(object.kind));
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('renders with plain `kubectl kustomize`, no load-restrictor flag, here and in the docs', () => {
    expect(objectsOf(overlay).length).toBeGreaterThan(30);
    const docs = readdirSync(join(REPO_ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(REPO_ROOT, 'docs', name));
    for (const file of [
      join(DEPLOY_DIR, 'README.md'),
      join(DEPLOY_DIR, 'package.json'),
      join(REPO_ROOT, 'README.md'),
      ...docs,
    ])
      expect({ file, flag: readFileSync(file, 'utf8').includes('--load-restrictor') }).toEqual({
        file,
        flag: false,
      });
  });

  it('gives every workload a ServiceAccount of its own, without an API token but for the two API callers', () => {
    const objects = objectsOf(overlay);
    // crl-refresh writes the CRL into its Secret; the collector's k8sattributes reads pods and ReplicaSets.
    const callsTheApi = new Set(['crl-refresh', 'otel-collector']);
    const accounts = workloads(objects).map((workload) => {
      const pod = podSpecOf(workload);
      const account = String(pod?.serviceAccountName);
      if (!callsTheApi.has(workload.metadata.name)) {
        expect({ workload: workload.metadata.name, automount: pod?.automountServiceAccountToken }).toEqual({
          workload: workload.metadata.name,
          automount: false,
        });
        expect(find(objects, 'ServiceAccount', account).automountServiceAccountToken).toBe(false);
      }
      return account;
    });
    expect(new Set(accounts).size).toBe(accounts.length);
    for (const deployment of objects.filter((object) => object.kind === 'Deployment'))
      expect(podSpecOf(deployment)?.serviceAccountName).toBe(deployment.metadata.name);
    expect(objects.some((object) => object.metadata.name === 'psd2-workload')).toBe(false);
  });

  it.each([
    ['client-registry', 'client-registry-database'],
    ['authorization', 'psu-directory-database'],
  ])('migrates before %s starts: an init container running its migrate script', (name, secret) => {
    const pod = podSpecOf(find(objectsOf(overlay), 'Deployment', name));
    const init = records(pod?.initContainers);
    expect(init.map((container) => container.name)).toEqual(['migrate']);
    const container = firstContainer(find(objectsOf(overlay), 'Deployment', name));
    expect(init[0]?.image).toBe(container?.image);
    expect(init[0]?.args).toEqual(['dist/migrate.js']);
    expect(init[0]?.workingDir).toBe(container?.workingDir);
    expect(field(envOf(init[0]), 'DATABASE_URL', 'valueFrom', 'secretKeyRef')).toEqual({
      name: secret,
      key: 'DATABASE_URL',
    });
    // The serving container itself never changes the schema.
    const migrateOnStart = field(envOf(container), 'MIGRATE_ON_START', 'value');
    if (migrateOnStart !== undefined) expect(migrateOnStart).toBe('false');
  });

  it.each(Object.entries(HTTP_SERVICES))(
    'serves %s over HTTPS with its own certificate, probed on the plain health port',
    (name, port) => {
      const deployment = find(objectsOf(overlay), 'Deployment', name);
      const container = firstContainer(deployment);
      const ports = Object.fromEntries(records(container?.ports).map((p) => [p.name, p.containerPort]));
      expect(ports).toEqual({ https: port, health: port + 1000 });
      const env = envOf(container);
      const value = (key: string) => field(env, key, 'value');
      expect([value('PORT'), value('HEALTH_PORT')]).toEqual([String(port), String(port + 1000)]);
      expect([value('TLS_CERT_FILE'), value('TLS_KEY_FILE'), value('EDGE_PEER_CA_FILE')]).toEqual([
        '/etc/psd2/tls/tls.crt',
        '/etc/psd2/tls/tls.key',
        '/etc/psd2/tls/ca.crt',
      ]);
      expect(value('EDGE_PEER_NAMES')).toBe('psd2-edge');
      expect(
        ['startupProbe', 'livenessProbe', 'readinessProbe'].map((probe) =>
          field(container, probe, 'httpGet'),
        ),
      ).toEqual([
        { path: '/healthz', port: 'health' },
        { path: '/healthz', port: 'health' },
        { path: '/readyz', port: 'health' },
      ]);
      const mount = records(container?.volumeMounts).find((m) => m.mountPath === '/etc/psd2/tls');
      expect(mount).toMatchObject({ name: 'tls', readOnly: true });
      expect(mount?.subPath).toBeUndefined();
      const volume = records(podSpecOf(deployment)?.volumes).find((v) => v.name === 'tls');
      expect(field(volume, 'secret', 'secretName')).toBe(`${name}-tls`);
      // uid 1000 reads the kubelet's root-owned Secret files through the pod's fsGroup.
      expect(field(podSpecOf(deployment), 'securityContext', 'fsGroup')).toBe(1000);
      expect(field(volume, 'secret', 'defaultMode')).toBe(0o440);
      const service = records(field(find(objectsOf(overlay), 'Service', name), 'spec', 'ports'));
      expect(service.map((p) => [p.name, p.port, p.targetPort])).toEqual([['http', port, 'https']]);
    },
  );

  it('points the edge at the hashed envoy-config ConfigMap envoy/kustomization.yaml generates', () => {
    const objects = objectsOf(overlay);
    const generated = findPrefixed(objects, 'ConfigMap', 'envoy-config').metadata.name;
    expect(generated).toMatch(/^envoy-config-[a-z0-9]{10}$/);
    const volumes = records(podSpecOf(find(objects, 'Deployment', 'edge'))?.volumes);
    expect(
      field(
        volumes.find((v) => v.name === 'config'),
        'configMap',
        'name',
      ),
    ).toBe(generated);
  });

  it("mounts the edge's client certificate towards the services", () => {
    const edge = find(objectsOf(overlay), 'Deployment', 'edge');
    const mounts = records(firstContainer(edge)?.volumeMounts);
    expect(mounts.find((m) => m.mountPath === '/etc/envoy/upstream-tls')).toMatchObject({
      name: 'upstream-tls',
      readOnly: true,
    });
    const volume = records(podSpecOf(edge)?.volumes).find((v) => v.name === 'upstream-tls');
    expect(field(volume, 'secret', 'secretName')).toBe('edge-upstream-tls');
  });

  it.each(['client-registry', 'payment-consent'])(
    'serves %s through a headless Service, so gRPC clients see every pod',
    (name) => {
      expect(field(find(objectsOf(overlay), 'Service', name), 'spec', 'clusterIP')).toBe('None');
    },
  );

  it('sizes the token service and the edge from the benchmark figures', () => {
    const objects = objectsOf(overlay);
    for (const name of ['token', 'edge']) {
      expect(field(firstContainer(find(objects, 'Deployment', name)), 'resources', 'requests', 'cpu')).toBe(
        '250m',
      );
    }
  });
});

describe('images', () => {
  const images = (overlay: (typeof OVERLAYS)[number]) =>
    objectsOf(overlay).flatMap((object) => {
      const pod = podSpecOf(object);
      return [...records(pod?.initContainers), ...records(pod?.containers)].map((c) => String(c.image));
    });

  it('are pinned by digest in production (the placeholder until the release pipeline sets it)', () => {
    const production = images('production');
    expect(production.length).toBeGreaterThan(10);
    for (const image of production) expect(image).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(new Set(production.map((image) => image.split('@')[1]))).toEqual(
      new Set([`sha256:${'0'.repeat(64)}`]),
    );
  });

  it('follow tags in the sandbox', () => {
    for (const image of images('sandbox')) expect(image).not.toContain('@sha256:');
  });
});

describe('rolling on a changed Secret', () => {
  /** Every Secret a pod template reads: environment, envFrom and volumes, init containers included. */
  function secretsRead(workload: KubeObject): string[] {
    const pod = podSpecOf(workload);
    const containers = [...records(pod?.initContainers), ...records(pod?.containers)];
    const names = [
      ...containers.flatMap((c) => records(c.env).map((e) => field(e, 'valueFrom', 'secretKeyRef', 'name'))),
      ...containers.flatMap((c) => records(c.envFrom).map((e) => field(e, 'secretRef', 'name'))),
      ...records(pod?.volumes).map((v) => field(v, 'secret', 'secretName')),
    ];
    return [...new Set(names.filter((name): name is string => typeof name === 'string'))].sort();
  }

  it.each(OVERLAYS)(
    'names, for Reloader, exactly the Secrets each service reads (%s; the edge reloads its own by SDS)',
    (overlay) => {
      for (const deployment of objectsOf(overlay).filter((o) => o.kind === 'Deployment')) {
        const name = deployment.metadata.name;
        const annotation = field(
          deployment,
          'metadata',
          'annotations',
          'secret.reloader.stakater.com/reload',
        );
        const read = secretsRead(deployment);
        if (name === 'edge' || read.length === 0)
          expect({ name, annotation }).toEqual({ name, annotation: undefined });
        else expect({ name, secrets: String(annotation).split(',').sort() }).toEqual({ name, secrets: read });
      }
    },
  );
});
