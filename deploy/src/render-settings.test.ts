import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { unknownFields } from './fields.js';
import { DEPLOY_DIR, field, OVERLAYS, type Overlay, parseManifests, records } from './manifests.js';
import { checkPolicy, formatViolations } from './policy.js';
import { find, findPrefixed, firstContainer, objectsOf } from './render-support.js';
import { allSchemaErrors } from './schema.js';
import { tokenStoreProcesses } from './service-settings.js';

/*
 * What each process is given: databases, Secrets, the deployment mode, the per-overlay settings, and
 * the add-psu Job made by hand.
 */

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('probes the registry with grpc.health.v1 and runs its migrations as a Job', () => {
    const objects = objectsOf(overlay);
    const registry = firstContainer(find(objects, 'Deployment', 'client-registry'));
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
    const containerOf = (kind: string, name: string) => firstContainer(find(objects, kind, name));
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
    // The payment-consent API too: the pages and the token service read the requests it registers.
    // The registry too: its admin API suspends clients' tokens and withdraws customers' grants.
    expect(tokenStoreProcesses()).toEqual([
      'authorization',
      'client-registry',
      'payment-consent',
      'registration',
      'revocation',
      'token',
    ]);
    const objects = objectsOf(overlay);
    for (const name of tokenStoreProcesses()) {
      const container = firstContainer(find(objects, 'Deployment', name));
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
      const container = firstContainer(find(objects, 'Deployment', name));
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

  it('states PAR_REQUIRED once, beside the mode, for the service that enforces it and the one that advertises it', () => {
    const objects = objectsOf(overlay);
    const common = findPrefixed(objects, 'ConfigMap', 'psd2-common');
    expect(field(common, 'data', 'PAR_REQUIRED')).toBe(overlay === 'sandbox' ? 'false' : 'true');
    for (const name of ['authorization', 'token']) {
      const container = firstContainer(find(objects, 'Deployment', name));
      const fromConfigMaps = records(container?.envFrom).map((source) =>
        field(source, 'configMapRef', 'name'),
      );
      expect({ name, fromConfigMaps }).toEqual({
        name,
        fromConfigMaps: expect.arrayContaining([common.metadata.name]),
      });
    }
  });

  it('ships no Secret: credentials and keys are created in the cluster, never committed', () => {
    expect(objectsOf(overlay).filter((object) => object.kind === 'Secret')).toEqual([]);
  });
});

describe('overlay differences', () => {
  it('the sandbox brings Redis with AOF persistence and PostgreSQL; production brings neither', () => {
    const sandbox = objectsOf('sandbox');
    const redis = firstContainer(find(sandbox, 'StatefulSet', 'redis'));
    const redisArgs = redis?.args as string[];
    expect(redisArgs[redisArgs.indexOf('--appendonly') + 1]).toBe('yes');
    expect(find(sandbox, 'StatefulSet', 'postgres').metadata.name).toBe('postgres');

    const production = objectsOf('production');
    expect(production.filter((object) => object.kind === 'StatefulSet')).toEqual([]);
  });

  it('sets the public issuer per overlay, and no address range the services would trust', () => {
    // The services believe x-forwarded-client-cert only on the edge's TLS connection (docs/edge-to-service.md).
    for (const overlay of OVERLAYS) {
      expect(
        field(findPrefixed(objectsOf(overlay), 'ConfigMap', 'psd2-common'), 'data', 'TRUSTED_PROXIES'),
      ).toBe(undefined);
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
    const container = firstContainer(find(objectsOf('production'), 'Deployment', 'authorization'));
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
    const container = firstContainer(find(objectsOf(overlay), 'Deployment', 'token'));
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
    const container = firstContainer(objects[0]);
    expect(container?.workingDir).toBe('/app/services/authorization');
    expect(container?.args).toEqual(['dist/add-psu.js', '--id', '$(PSU_ID)', '--name', '$(PSU_NAME)']);
    const database = records(container?.env).find((variable) => variable.name === 'DATABASE_URL');
    expect(database?.valueFrom).toEqual({
      secretKeyRef: { name: 'psu-directory-database', key: 'DATABASE_URL' },
    });
  });

  it('uses the image the overlays deploy, so that README commands only change the tag', () => {
    const container = firstContainer(objects[0]);
    const deployed = firstContainer(find(objectsOf('production'), 'Deployment', 'authorization'));
    expect(String(container?.image).split(':')[0]).toBe(String(deployed?.image).split(':')[0]);
  });
});
