import { describe, expect, it } from '@jest/globals';
import { type KubeObject, OVERLAYS, parseManifests, renderOverlay } from './manifests.js';
import { checkPolicy, formatViolations, imageTag, type Rule } from './policy.js';

/** A Deployment that passes every rule; each bad case below breaks exactly one thing in it. */
const GOOD = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: sample }
spec:
  selector: { matchLabels: { app: sample } }
  template:
    metadata: { labels: { app: sample } }
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: app
          image: ghcr.io/bank/psd2-auth:0.1.0
          livenessProbe: { httpGet: { path: /healthz, port: 8080 } }
          readinessProbe: { httpGet: { path: /readyz, port: 8080 } }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: "1", memory: 256Mi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
`;

/** The sample, edited; an edit that changes nothing would let a "bad manifest" test pass for the wrong reason. */
function sample(edit?: (text: string) => string): KubeObject[] {
  if (edit === undefined) return parseManifests(GOOD);
  const edited = edit(GOOD);
  if (edited === GOOD) throw new Error('the edit did not change the sample manifest');
  return parseManifests(edited);
}

function rulesBroken(objects: readonly KubeObject[]): Rule[] {
  return [...new Set(checkPolicy(objects).map((violation) => violation.rule))];
}

describe('deployment policy', () => {
  it.each(OVERLAYS)('passes on the rendered %s overlay', (overlay) => {
    const violations = checkPolicy(parseManifests(renderOverlay(overlay)));
    expect(formatViolations(violations)).toBe('');
  });

  it('passes on the well-formed sample', () => {
    expect(checkPolicy(sample())).toEqual([]);
  });

  it('fails a container without a readiness probe', () => {
    const objects = sample((text) => text.replace(/ {10}readinessProbe:.*\n/, ''));
    expect(checkPolicy(objects)).toEqual([
      { object: 'Deployment/sample', container: 'app', rule: 'probes', message: 'has no readinessProbe' },
    ]);
  });

  it('fails a container without a liveness probe', () => {
    const objects = sample((text) => text.replace(/ {10}livenessProbe:.*\n/, ''));
    expect(rulesBroken(objects)).toEqual(['probes']);
  });

  it('does not ask a Job, which runs to completion, for probes', () => {
    const job = sample((text) =>
      text
        .replace('apiVersion: apps/v1\nkind: Deployment', 'apiVersion: batch/v1\nkind: Job')
        .replace(/ {2}selector:.*\n/, '')
        .replace(/ {10}(liveness|readiness)Probe:.*\n/g, '')
        .replace('      containers:', '      restartPolicy: Never\n      containers:'),
    );
    expect(checkPolicy(job)).toEqual([]);
  });

  it('fails a container without limits', () => {
    const objects = sample((text) => text.replace(/ {12}limits:.*\n/, ''));
    expect(checkPolicy(objects).map((violation) => violation.message)).toEqual([
      'has no cpu limit',
      'has no memory limit',
    ]);
  });

  it('fails a container without a memory request', () => {
    const objects = sample((text) =>
      text.replace('requests: { cpu: 100m, memory: 128Mi }', 'requests: { cpu: 100m }'),
    );
    expect(checkPolicy(objects).map((violation) => violation.message)).toEqual(['has no memory request']);
  });

  it.each([
    ['the latest tag', 'ghcr.io/bank/psd2-auth:latest', 'uses the latest tag'],
    ['no tag', 'ghcr.io/bank/psd2-auth', 'has no tag'],
    ['a registry port but no tag', 'registry.bank.example:5000/psd2-auth', 'has no tag'],
  ])('fails an image with %s', (_case, image, message) => {
    const violations = checkPolicy(sample((text) => text.replace('ghcr.io/bank/psd2-auth:0.1.0', image)));
    expect(violations.map((violation) => violation.rule)).toEqual(['image-tag']);
    expect(violations[0]?.message).toContain(message);
  });

  it('accepts an image pinned by digest', () => {
    const digest = `ghcr.io/bank/psd2-auth@sha256:${'a'.repeat(64)}`;
    expect(checkPolicy(sample((text) => text.replace('ghcr.io/bank/psd2-auth:0.1.0', digest)))).toEqual([]);
  });

  it('fails a pod that may run as root (no runAsNonRoot)', () => {
    const objects = sample((text) => text.replace(/ {8}runAsNonRoot: true\n/, ''));
    expect(checkPolicy(objects)).toEqual([
      {
        object: 'Deployment/sample',
        container: 'app',
        rule: 'run-as-non-root',
        message: 'may run as root: set runAsNonRoot: true',
      },
    ]);
  });

  it('fails a container that overrides the pod and runs as root', () => {
    const objects = sample((text) =>
      text.replace(
        'allowPrivilegeEscalation: false',
        'allowPrivilegeEscalation: false\n            runAsNonRoot: false',
      ),
    );
    expect(rulesBroken(objects)).toEqual(['run-as-non-root']);
  });

  it('fails runAsUser 0 even with runAsNonRoot (the kubelet would refuse to start it)', () => {
    const objects = sample((text) => text.replace('runAsUser: 1000', 'runAsUser: 0'));
    expect(rulesBroken(objects)).toEqual(['run-as-non-root']);
  });

  it.each([
    [
      'privilege escalation',
      'allowPrivilegeEscalation: false',
      'allowPrivilegeEscalation: true',
      'privilege-escalation',
    ],
    [
      'kept capabilities',
      'capabilities: { drop: [ALL] }',
      'capabilities: { drop: [NET_RAW] }',
      'capabilities',
    ],
    [
      'a writable root file system',
      'readOnlyRootFilesystem: true',
      'readOnlyRootFilesystem: false',
      'read-only-root',
    ],
    [
      'no seccomp profile',
      'seccompProfile: { type: RuntimeDefault }',
      'seccompProfile: { type: Unconfined }',
      'seccomp',
    ],
  ])('fails %s', (_case, good, bad, rule) => {
    expect(rulesBroken(sample((text) => text.replace(good, bad)))).toEqual([rule]);
  });

  it('accepts a database URL taken from a Secret', () => {
    const objects = sample((text) =>
      text.replace(
        '          livenessProbe:',
        '          env: [{ name: DATABASE_URL, valueFrom: { secretKeyRef: { name: db, key: url } } }]\n          livenessProbe:',
      ),
    );
    expect(checkPolicy(objects)).toEqual([]);
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'POSTGRES_PASSWORD', 'SANDBOX_TOTP_SECRET'])(
    'fails %s given as a literal value',
    (name) => {
      const objects = sample((text) =>
        text.replace(
          '          livenessProbe:',
          `          env: [{ name: ${name}, value: "postgres://u:p@db/x" }]\n          livenessProbe:`,
        ),
      );
      expect(checkPolicy(objects)).toEqual([
        {
          object: 'Deployment/sample',
          container: 'app',
          rule: 'credentials',
          message: `sets ${name} as a literal value: take it from a Secret`,
        },
      ]);
    },
  );

  it('fails a ConfigMap that carries a credential, and only for that key', () => {
    const objects = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { LOG_LEVEL: info, DATABASE_URL: "postgres://u:p@db/x" }\n',
    );
    expect(checkPolicy(objects)).toEqual([
      {
        object: 'ConfigMap/settings',
        rule: 'credentials',
        message: 'holds DATABASE_URL: credentials belong in a Secret',
      },
    ]);
  });

  it('checks init containers too', () => {
    const objects = sample((text) =>
      text.replace(
        '      containers:',
        '      initContainers:\n        - { name: init, image: "busybox:latest" }\n      containers:',
      ),
    );
    const init = checkPolicy(objects).filter((violation) => violation.container === 'init');
    expect(init.map((violation) => violation.rule)).toEqual(
      expect.arrayContaining(['image-tag', 'resources', 'privilege-escalation', 'read-only-root']),
    );
    expect(init.map((violation) => violation.rule)).not.toContain('probes');
  });
});

describe('imageTag', () => {
  it.each([
    ['node:20.20.2-bookworm-slim', '20.20.2-bookworm-slim'],
    ['ghcr.io/bank/psd2-auth:0.1.0', '0.1.0'],
    ['localhost:5000/psd2-auth', undefined],
    [`app:1.0@sha256:${'b'.repeat(64)}`, '1.0'],
  ])('%s -> %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});
