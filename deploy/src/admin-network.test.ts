import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { field, OVERLAYS, REPO_ROOT, records } from './manifests.js';
import { connectionAllowed, type Labels, type Peer, podLabels } from './network.js';
import { find, firstContainer, objectsOf } from './render-support.js';

/*
 * The registry's admin API (docs/operations-admin.md) is for the bank's operators only: on its own
 * port, reachable only from operator pods in an operator namespace, never routed by the edge, with its
 * TLS material from a Secret mounted where ADMIN_TLS_* name it.
 */

const ADMIN_PORT = 50053;
const OPERATOR_LABEL = { 'psd2.bank.example/operator': 'true' };
const OPERATIONS_NAMESPACE: Labels = { 'kubernetes.io/metadata.name': 'operations', ...OPERATOR_LABEL };
const OPERATOR: Peer = {
  pod: { app: 'operator-console', ...OPERATOR_LABEL },
  namespace: OPERATIONS_NAMESPACE,
};
/** Another pod of the operators' namespace, without the label. */
const NEIGHBOUR: Peer = { pod: { app: 'reports' }, namespace: OPERATIONS_NAMESPACE };
/** A pod that labels itself, in a namespace the administrators did not label. */
const IMPOSTOR: Peer = {
  pod: { app: 'x', ...OPERATOR_LABEL },
  namespace: { 'kubernetes.io/metadata.name': 'dev' },
};
const INTERNET: Peer = { ip: '203.0.113.7' };

describe.each(OVERLAYS)("the registry's admin API in the %s overlay", (overlay) => {
  const objects = () => objectsOf(overlay);
  const peer = (name: string | Peer): Peer => {
    if (typeof name !== 'string') return name;
    const labels = podLabels(objects()).get(name);
    if (labels === undefined) throw new Error(`no workload ${name}`);
    return { pod: labels };
  };
  const allowed = (from: string | Peer, to: string | Peer, port: number) =>
    connectionAllowed(objects(), peer(from), peer(to), port);

  it('admits operator pods in an operator namespace, and nothing else: not our services, not the edge', () => {
    expect(allowed(OPERATOR, 'client-registry', ADMIN_PORT)).toBe(true);
    const ours = [...podLabels(objects()).keys()].filter((name) => name !== 'client-registry');
    for (const other of [...ours, NEIGHBOUR, IMPOSTOR, INTERNET]) {
      expect({ from: other, allowed: allowed(other, 'client-registry', ADMIN_PORT) }).toEqual({
        from: other,
        allowed: false,
      });
    }
  });

  it("gives operators nothing else of ours: not the registry's main API, not the services", () => {
    for (const [name, port] of [
      ['client-registry', 50051],
      ['token', 8083],
      ['payment-consent', 50052],
    ] as const) {
      expect({ to: name, allowed: allowed(OPERATOR, name, port) }).toEqual({ to: name, allowed: false });
    }
  });

  it('lets the registry reach the token store (suspensions, grants)', () => {
    expect(allowed('client-registry', overlay === 'sandbox' ? 'redis' : { ip: '10.20.30.40' }, 6379)).toBe(
      true,
    );
  });

  it('serves it on its own named port, with the TLS files from the registry-admin-tls Secret', () => {
    const deployment = find(objects(), 'Deployment', 'client-registry');
    const container = firstContainer(deployment);
    expect(records(container?.ports)).toContainEqual({ name: 'admin', containerPort: ADMIN_PORT });
    const env = Object.fromEntries(
      records(container?.env).map((variable) => [variable.name, variable.value]),
    );
    expect(env).toMatchObject({
      ADMIN_PORT: String(ADMIN_PORT),
      ADMIN_TLS_CERT_FILE: '/etc/psd2/admin/tls.crt',
      ADMIN_TLS_KEY_FILE: '/etc/psd2/admin/tls.key',
      ADMIN_CLIENT_CA_FILE: '/etc/psd2/admin/operator-ca.crt',
    });
    expect(records(container?.volumeMounts)).toContainEqual({
      name: 'admin-tls',
      mountPath: '/etc/psd2/admin',
      readOnly: true,
    });
    const volumes = records(field(deployment, 'spec', 'template', 'spec', 'volumes'));
    expect(volumes.find((volume) => volume.name === 'admin-tls')?.secret).toMatchObject({
      secretName: 'registry-admin-tls',
    });
    const service = find(objects(), 'Service', 'client-registry');
    expect(records(field(service, 'spec', 'ports'))).toContainEqual({
      name: 'admin',
      port: ADMIN_PORT,
      targetPort: 'admin',
      appProtocol: 'grpc',
    });
  });

  it('is never routed by the edge', () => {
    expect(readFileSync(join(REPO_ROOT, 'envoy', 'envoy.yaml'), 'utf8')).not.toContain(String(ADMIN_PORT));
  });
});
