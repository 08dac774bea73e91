import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { unknownFields } from './fields.js';
import {
  DEPLOY_DIR,
  field,
  type KubeObject,
  OVERLAYS,
  type Overlay,
  parseManifests,
  REPO_ROOT,
  records,
  renderOverlay,
} from './manifests.js';
import { checkPolicy, formatViolations } from './policy.js';
import { allSchemaErrors, schemaErrors } from './schema.js';
import { tokenStoreProcesses } from './service-settings.js';

const rendered = new Map<Overlay, KubeObject[]>();
function objectsOf(overlay: Overlay): KubeObject[] {
  let objects = rendered.get(overlay);
  if (objects === undefined) {
    objects = parseManifests(renderOverlay(overlay));
    rendered.set(overlay, objects);
  }
  return objects;
}

function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}

function findPrefixed(objects: readonly KubeObject[], kind: string, prefix: string): KubeObject {
  const found = objects.find(
    (object) => object.kind === kind && object.metadata.name.startsWith(`${prefix}-`),
  );
  if (found === undefined) throw new Error(`no ${kind} named ${prefix}-<hash> is rendered`);
  return found;
}

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

  it('probes the registry with grpc.health.v1 and runs its migrations as a Job', () => {
    const objects = objectsOf(overlay);
    const registry = records(
      field(find(objects, 'Deployment', 'client-registry'), 'spec', 'template', 'spec', 'containers'),
    )[0];
    expect(field(registry, 'readinessProbe', 'grpc')).toEqual({
      port: 50051,
      service: 'psd2.clientregistry.v1.ClientRegistryService',
    });
    // Neither side falls back to plaintext: the registry and its callers must agree.
    const registryPlaintext = records(registry?.env).find(
      (variable) => variable.name === 'REGISTRY_PLAINTEXT',
    );
    const common = findPrefixed(objects, 'ConfigMap', 'psd2-common');
    expect(registryPlaintext?.value).toBe('true');
    expect(field(common, 'data', 'CLIENT_REGISTRY_PLAINTEXT')).toBe('true');
    expect(field(common, 'data', 'CLIENT_REGISTRY_ADDRESS')).toBe('client-registry:50051');

    const job = find(objects, 'Job', 'client-registry-migrate');
    const migrate = records(field(job, 'spec', 'template', 'spec', 'containers'))[0];
    expect(migrate?.args).toEqual(['dist/migrate.js']);
    expect(migrate?.workingDir).toBe('/app/services/client-registry');
  });

  it("gives the authorization service the PSU directory's PostgreSQL, from its own Secret, migrated by a Job", () => {
    const objects = objectsOf(overlay);
    const containerOf = (kind: string, name: string): Record<string, unknown> | undefined =>
      records(field(find(objects, kind, name), 'spec', 'template', 'spec', 'containers'))[0];
    const secretOf = (container: Record<string, unknown> | undefined): unknown =>
      records(container?.env).find((variable) => variable.name === 'DATABASE_URL')?.valueFrom;

    const authorization = containerOf('Deployment', 'authorization');
    const job = containerOf('Job', 'psu-directory-migrate');
    const directorySecret = { secretKeyRef: { name: 'psu-directory-database', key: 'DATABASE_URL' } };
    // Required (no `optional: true`): without the Secret the pod does not start, so it can never
    // fall back to an embedded PGlite database inside the container.
    expect(secretOf(authorization)).toEqual(directorySecret);
    expect(secretOf(job)).toEqual(directorySecret);
    // Not the registry's: the bank may give the directory another database or role.
    expect(secretOf(containerOf('Deployment', 'client-registry'))).toEqual({
      secretKeyRef: { name: 'client-registry-database', key: 'DATABASE_URL' },
    });
    expect(job?.args).toEqual(['dist/migrate.js']);
    expect(job?.workingDir).toBe('/app/services/authorization');
    expect(authorization?.workingDir).toBe('/app/services/authorization');

    // No PGlite anywhere, and no database URL outside a Secret (policy.ts checks literal values).
    const misplaced = objects
      .filter((object) => object.kind === 'ConfigMap')
      .flatMap((object) =>
        Object.keys(field(object, 'data') ?? {})
          .filter((key) => key === 'DATABASE_URL' || key === 'PGLITE_DATA_DIR')
          .map((key) => `${object.metadata.name}: ${key}`),
      );
    expect(misplaced).toEqual([]);
    expect(records(authorization?.env).map((variable) => variable.name)).not.toContain('PGLITE_DATA_DIR');
  });

  it('gives every process that reads REDIS_URL the token store Secret, required', () => {
    // Registration too: without it a DELETE's revocation marker went to a store in its own process (the
    // deleted client's tokens stayed active) and the rate limit was counted per replica.
    expect(tokenStoreProcesses()).toEqual(['authorization', 'registration', 'revocation', 'token']);
    const objects = objectsOf(overlay);
    for (const name of tokenStoreProcesses()) {
      const container = records(
        field(find(objects, 'Deployment', name), 'spec', 'template', 'spec', 'containers'),
      )[0];
      const secrets = records(container?.envFrom)
        .map((source) => field(source, 'secretRef'))
        .filter((ref) => ref !== undefined);
      // No `optional: true`: without the Secret the pod does not start, rather than start without Redis.
      expect({ name, secrets }).toEqual({ name, secrets: [{ name: 'token-store-redis' }] });
    }
  });

  it("gives every process that reads DEPLOYMENT_MODE the same one, the overlay's", () => {
    const objects = objectsOf(overlay);
    const common = findPrefixed(objects, 'ConfigMap', 'psd2-common');
    expect(field(common, 'data', 'DEPLOYMENT_MODE')).toBe(overlay === 'sandbox' ? 'sandbox' : 'bank');
    const configMaps = new Map(
      objects.filter((object) => object.kind === 'ConfigMap').map((object) => [object.metadata.name, object]),
    );
    for (const name of tokenStoreProcesses()) {
      const container = records(
        field(find(objects, 'Deployment', name), 'spec', 'template', 'spec', 'containers'),
      )[0];
      const fromConfigMaps = records(container?.envFrom)
        .map((source) => field(source, 'configMapRef', 'name'))
        .filter((ref): ref is string => typeof ref === 'string');
      expect(fromConfigMaps).toContain(common.metadata.name);
      // Read from psd2-common only: no other ConfigMap and no env entry of the Deployment overrides it.
      const elsewhere = fromConfigMaps
        .filter((ref) => ref !== common.metadata.name)
        .filter((ref) => field(configMaps.get(ref), 'data', 'DEPLOYMENT_MODE') !== undefined);
      expect({ name, elsewhere }).toEqual({ name, elsewhere: [] });
      expect(records(container?.env).map((variable) => variable.name)).not.toContain('DEPLOYMENT_MODE');
    }
  });

  it('ships no Secret: credentials and keys are created in the cluster, never committed', () => {
    expect(objectsOf(overlay).filter((object) => object.kind === 'Secret')).toEqual([]);
  });
});

describe('overlay differences', () => {
  it('the sandbox brings Redis with AOF persistence and PostgreSQL; production brings neither', () => {
    const sandbox = objectsOf('sandbox');
    const redis = records(
      field(find(sandbox, 'StatefulSet', 'redis'), 'spec', 'template', 'spec', 'containers'),
    )[0];
    const redisArgs = redis?.args as string[];
    expect(redisArgs[redisArgs.indexOf('--appendonly') + 1]).toBe('yes');
    expect(find(sandbox, 'StatefulSet', 'postgres').metadata.name).toBe('postgres');

    const production = objectsOf('production');
    expect(production.filter((object) => object.kind === 'StatefulSet')).toEqual([]);
  });

  it('sets the public issuer and the trusted edge range per overlay', () => {
    for (const overlay of OVERLAYS) {
      const proxies = String(
        field(findPrefixed(objectsOf(overlay), 'ConfigMap', 'psd2-common'), 'data', 'TRUSTED_PROXIES'),
      );
      expect(proxies.split(',').every((cidr) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr))).toBe(true);
    }
    expect(field(findPrefixed(objectsOf('sandbox'), 'ConfigMap', 'psd2-common'), 'data', 'ISSUER')).toBe(
      'https://localhost:8443',
    );
    expect(
      field(findPrefixed(objectsOf('production'), 'ConfigMap', 'psd2-common'), 'data', 'ISSUER'),
    ).toMatch(/^https:\/\//);
  });
});

describe('the production authorization service', () => {
  const settings = (overlay: Overlay): unknown =>
    field(findPrefixed(objectsOf(overlay), 'ConfigMap', 'authorization-settings'), 'data');

  it('reads its settings from the authorization-settings ConfigMap', () => {
    const container = records(
      field(
        find(objectsOf('production'), 'Deployment', 'authorization'),
        'spec',
        'template',
        'spec',
        'containers',
      ),
    )[0];
    const refs = records(container?.envFrom).map((source) => String(field(source, 'configMapRef', 'name')));
    expect(refs.some((ref) => ref.startsWith('authorization-settings-'))).toBe(true);
  });

  it('requires PKCE, locks PSUs out as the RTS asks, and never migrates at start', () => {
    expect(settings('production')).toMatchObject({
      PKCE_REQUIRED: 'true',
      PSU_MAX_FAILED_ATTEMPTS: '5',
      SESSION_IDLE_SECONDS: '300',
      MIGRATE_ON_START: 'false',
    });
    const lock = Number(field(settings('production'), 'PSU_LOCK_SECONDS'));
    expect(Number.isInteger(lock) && lock >= 60).toBe(true);
    // The sandbox-only switches stay out of production.
    for (const key of ['SANDBOX_BANK_PAGE', 'SANDBOX_PSUS', 'SANDBOX_PSU_PASSWORD', 'SANDBOX_TOTP_SECRET']) {
      expect(Object.keys(settings('production') as object)).not.toContain(key);
    }
  });
});

describe('the token service', () => {
  const settings = (overlay: Overlay): unknown =>
    field(findPrefixed(objectsOf(overlay), 'ConfigMap', 'token-settings'), 'data');

  it.each(OVERLAYS)('reads token-settings in %s, with refresh tokens not rotated', (overlay) => {
    const container = records(
      field(find(objectsOf(overlay), 'Deployment', 'token'), 'spec', 'template', 'spec', 'containers'),
    )[0];
    const refs = records(container?.envFrom).map((source) => String(field(source, 'configMapRef', 'name')));
    expect(refs.some((ref) => ref.startsWith('token-settings-'))).toBe(true);
    expect(settings(overlay)).toMatchObject({ REFRESH_TOKEN_ROTATION: 'false' });
  });

  it('states the introspection allow-list in production, where bank mode requires it', () => {
    const allowed = String(field(settings('production'), 'INTROSPECTION_ALLOWED_ORGANIZATIONS'));
    expect(allowed.split(',').filter((entry) => entry.trim().length > 0).length).toBeGreaterThan(0);
  });
});

describe('the add-psu Job (deploy/k8s/tools, created by hand)', () => {
  const objects = parseManifests(readFileSync(join(DEPLOY_DIR, 'k8s', 'tools', 'add-psu-job.yaml'), 'utf8'));

  it('is one Job that validates, passes the policy and runs the add-psu script', async () => {
    expect(objects.map((object) => object.kind)).toEqual(['Job']);
    expect(await allSchemaErrors(objects)).toEqual([]);
    expect(objects.flatMap((object) => unknownFields(object))).toEqual([]);
    expect(formatViolations(checkPolicy(objects))).toBe('');
    const container = records(field(objects[0], 'spec', 'template', 'spec', 'containers'))[0];
    expect(container?.workingDir).toBe('/app/services/authorization');
    expect(container?.args).toEqual(['dist/add-psu.js', '--id', '$(PSU_ID)', '--name', '$(PSU_NAME)']);
    const database = records(container?.env).find((variable) => variable.name === 'DATABASE_URL');
    expect(database?.valueFrom).toEqual({
      secretKeyRef: { name: 'psu-directory-database', key: 'DATABASE_URL' },
    });
  });

  it('uses the image the overlays deploy, so that README commands only change the tag', () => {
    const container = records(field(objects[0], 'spec', 'template', 'spec', 'containers'))[0];
    const deployed = records(
      field(
        find(objectsOf('production'), 'Deployment', 'authorization'),
        'spec',
        'template',
        'spec',
        'containers',
      ),
    )[0];
    expect(String(container?.image).split(':')[0]).toBe(String(deployed?.image).split(':')[0]);
  });
});

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
