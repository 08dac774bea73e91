import { describe, field, isRecord, type KubeObject, records } from './manifests.js';

/*
 * The deployment policy a security review asks for, checked on rendered manifests so that a patch
 * in an overlay cannot undo what the base promises:
 * - images carry a version tag or a digest, never `latest` or nothing;
 * - containers that keep running (Deployment, StatefulSet, DaemonSet) have liveness and readiness
 *   probes; a Job's container runs to completion and is not probed;
 * - every container, init containers too, has CPU and memory requests and limits;
 * - no container may run as root, escalate privileges, keep a capability or write its root file
 *   system, and every pod is confined by a seccomp profile;
 * - credentials (database and Redis URLs, passwords, secrets) come from Secrets: never a literal
 *   `value` in a container's environment, never a key of a ConfigMap.
 */

export type Rule =
  | 'image-tag'
  | 'probes'
  | 'resources'
  | 'run-as-non-root'
  | 'privilege-escalation'
  | 'capabilities'
  | 'read-only-root'
  | 'seccomp'
  | 'credentials';

export interface Violation {
  readonly object: string;
  readonly container?: string;
  readonly rule: Rule;
  readonly message: string;
}

/** Where each workload kind keeps its pod template. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Kinds whose containers are expected to keep running, and so must be probed. */
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

export function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const path = POD_SPEC_PATHS[object.kind];
  if (path === undefined) return undefined;
  const spec = field(object, ...path);
  return isRecord(spec) ? spec : undefined;
}

/**
 * The tag of an image reference, or undefined when it has none. A registry port (`host:5000/app`)
 * is not a tag: only a colon after the last slash counts.
 */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

function imageViolation(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'has no image';
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const tag = imageTag(image);
  if (tag === undefined) return `image ${image} has no tag: pin a version or a digest`;
  if (tag === 'latest') return `image ${image} uses the latest tag: pin a version or a digest`;
  return undefined;
}

function quantitySet(resources: unknown, kind: 'requests' | 'limits', name: 'cpu' | 'memory'): boolean {
  const value = field(resources, kind, name);
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

function securityViolations(
  podContext: unknown,
  container: Record<string, unknown>,
): { rule: Rule; message: string }[] {
  const context = container.securityContext;
  // A container setting wins over the pod's, as the kubelet applies them.
  const effective = (key: string): unknown => field(context, key) ?? field(podContext, key);
  const found: { rule: Rule; message: string }[] = [];

  const runAsUser = effective('runAsUser');
  if (effective('runAsNonRoot') !== true) {
    found.push({ rule: 'run-as-non-root', message: 'may run as root: set runAsNonRoot: true' });
  } else if (runAsUser === 0) {
    found.push({ rule: 'run-as-non-root', message: 'runs as user 0' });
  }
  if (field(context, 'privileged') === true) {
    found.push({ rule: 'privilege-escalation', message: 'is privileged' });
  }
  if (field(context, 'allowPrivilegeEscalation') !== false) {
    found.push({
      rule: 'privilege-escalation',
      message: 'may escalate privileges: set allowPrivilegeEscalation: false',
    });
  }
  const dropped = field(context, 'capabilities', 'drop');
  if (!Array.isArray(dropped) || !dropped.includes('ALL')) {
    found.push({ rule: 'capabilities', message: 'keeps capabilities: drop ALL' });
  }
  const added = field(context, 'capabilities', 'add');
  if (Array.isArray(added) && added.length > 0) {
    found.push({ rule: 'capabilities', message: `adds capabilities ${added.join(', ')}` });
  }
  if (field(context, 'readOnlyRootFilesystem') !== true) {
    found.push({
      rule: 'read-only-root',
      message: 'may write its root file system: set readOnlyRootFilesystem: true',
    });
  }
  const seccomp = field(effective('seccompProfile'), 'type');
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    found.push({
      rule: 'seccomp',
      message: 'has no seccomp profile: set seccompProfile.type RuntimeDefault',
    });
  }
  return found;
}

/** Environment variable names that carry a credential: connection URLs with passwords, passwords, secrets. */
const CREDENTIAL_NAME = /^(DATABASE_URL|REDIS_URL)$|PASSWORD|SECRET|PRIVATE_KEY/;

function credentialViolations(container: Record<string, unknown>): string[] {
  return records(container.env)
    .filter((variable) => typeof variable.name === 'string' && CREDENTIAL_NAME.test(variable.name))
    .filter((variable) => variable.value !== undefined)
    .map((variable) => `sets ${String(variable.name)} as a literal value: take it from a Secret`);
}

/** Every policy violation in a set of rendered objects; empty when the set may be deployed. */
export function checkPolicy(objects: readonly KubeObject[]): Violation[] {
  const violations: Violation[] = [];
  for (const object of objects) {
    if (object.kind === 'ConfigMap') {
      for (const key of Object.keys(field(object, 'data') ?? {}).filter((k) => CREDENTIAL_NAME.test(k))) {
        violations.push({
          object: describe(object),
          rule: 'credentials',
          message: `holds ${key}: credentials belong in a Secret`,
        });
      }
    }
    const spec = podSpecOf(object);
    if (spec === undefined) continue;
    const name = describe(object);
    const containers = records(spec.containers).map((container) => ({ container, init: false }));
    const initContainers = records(spec.initContainers).map((container) => ({ container, init: true }));
    if (containers.length === 0) {
      violations.push({ object: name, rule: 'probes', message: 'has no containers' });
    }
    for (const { container, init } of [...initContainers, ...containers]) {
      const containerName = typeof container.name === 'string' ? container.name : '(unnamed)';
      const report = (rule: Rule, message: string): void => {
        violations.push({ object: name, container: containerName, rule, message });
      };

      const image = imageViolation(container.image);
      if (image !== undefined) report('image-tag', image);

      if (LONG_RUNNING.has(object.kind) && !init) {
        if (!isRecord(container.livenessProbe)) report('probes', 'has no livenessProbe');
        if (!isRecord(container.readinessProbe)) report('probes', 'has no readinessProbe');
      }

      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'] as const) {
          if (!quantitySet(container.resources, kind, resource)) {
            report('resources', `has no ${resource} ${kind === 'limits' ? 'limit' : 'request'}`);
          }
        }
      }

      for (const found of securityViolations(spec.securityContext, container))
        report(found.rule, found.message);

      for (const message of credentialViolations(container)) report('credentials', message);
    }
  }
  return violations;
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map(
      (v) =>
        `${v.object}${v.container === undefined ? '' : ` container ${v.container}`} [${v.rule}]: ${v.message}`,
    )
    .join('\n');
}
