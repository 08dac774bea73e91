import { describe, expect, it } from '@jest/globals';
import { type KubeObject, OVERLAYS, type Overlay, parseManifests, renderOverlay } from './manifests.js';
import { connectionAllowed, type Labels, type Peer, podLabels } from './network.js';

/*
 * The payment-consent API is internal: only the bank's payment API, in its own namespace, may call it
 * (docs/payment-consent-api.md, "Security"); it reaches the registry, Redis and the collector only.
 */

const PORT = 50052;
const CLIENT_LABEL = { 'psd2.bank.example/payment-consent-client': 'true' };
const PAYMENTS_NAMESPACE: Labels = { 'kubernetes.io/metadata.name': 'payments', ...CLIENT_LABEL };
/** The bank's payment API: its pods and its namespace carry the documented label. */
const PAYMENT_API: Peer = { pod: { app: 'payment-api', ...CLIENT_LABEL }, namespace: PAYMENTS_NAMESPACE };
/** Another pod of the payment API's namespace, without the label (a batch job, a debug pod). */
const NEIGHBOUR: Peer = { pod: { app: 'reports' }, namespace: PAYMENTS_NAMESPACE };
/** A pod that labels itself, in a namespace the administrators did not label. */
const IMPOSTOR: Peer = {
  pod: { app: 'x', ...CLIENT_LABEL },
  namespace: { 'kubernetes.io/metadata.name': 'dev' },
};
const INTRUDER: Peer = { pod: { 'app.kubernetes.io/name': 'intruder' } };
const INTERNET: Peer = { ip: '203.0.113.7' };
const DATASTORE: Peer = { ip: '10.20.30.40' };

const rendered = new Map<Overlay, KubeObject[]>();
function objectsOf(overlay: Overlay): KubeObject[] {
  const objects = rendered.get(overlay) ?? parseManifests(renderOverlay(overlay));
  rendered.set(overlay, objects);
  return objects;
}

describe.each(OVERLAYS)('the payment-consent API in the %s overlay', (overlay) => {
  const peer = (name: string | Peer): Peer => {
    if (typeof name !== 'string') return name;
    const labels = podLabels(objectsOf(overlay)).get(name);
    if (labels === undefined) throw new Error(`no workload ${name}`);
    return { pod: labels };
  };
  const allowed = (from: string | Peer, to: string | Peer, port: number) =>
    connectionAllowed(objectsOf(overlay), peer(from), peer(to), port);

  it('admits the bank payment API, and nothing else: not the edge, not our services, not the internet', () => {
    expect(allowed(PAYMENT_API, 'payment-consent', PORT)).toBe(true);
    expect(allowed(PAYMENT_API, 'payment-consent', 9464)).toBe(false);
    const others = [...podLabels(objectsOf(overlay)).keys()].filter((name) => name !== 'payment-consent');
    for (const other of [...others, NEIGHBOUR, IMPOSTOR, INTRUDER, INTERNET]) {
      expect({ from: other, allowed: allowed(other, 'payment-consent', PORT) }).toEqual({
        from: other,
        allowed: false,
      });
    }
  });

  it('gives the payment API nothing else of ours', () => {
    for (const [name, port] of [
      ['client-registry', 50051],
      ['token', 8083],
      ['authorization', 8082],
    ] as const) {
      expect({ to: name, allowed: allowed(PAYMENT_API, name, port) }).toEqual({ to: name, allowed: false });
    }
  });

  it('lets it reach the registry, Redis and the collector, and nothing else', () => {
    expect(allowed('payment-consent', 'client-registry', 50051)).toBe(true);
    expect(allowed('payment-consent', 'otel-collector', 4318)).toBe(true);
    expect(allowed('payment-consent', overlay === 'sandbox' ? 'redis' : DATASTORE, 6379)).toBe(true);
    expect(allowed('payment-consent', overlay === 'sandbox' ? 'postgres' : DATASTORE, 5432)).toBe(false);
    expect(allowed('payment-consent', 'token', 8083)).toBe(false);
    expect(allowed('payment-consent', INTERNET, 443)).toBe(false);
    expect(allowed('payment-consent', PAYMENT_API, 443)).toBe(false);
  });
});

describe('the NetworkPolicy evaluator with other namespaces', () => {
  const policy = parseManifests(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p }
spec:
  podSelector: { matchLabels: { app: b } }
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { team: pay } }
          podSelector: { matchLabels: { app: a } }
        - podSelector: { matchLabels: { app: local } }
`);
  const b: Peer = { pod: { app: 'b' } };

  it('matches a namespaceSelector by the namespace labels and the pods within it', () => {
    expect(connectionAllowed(policy, { pod: { app: 'a' }, namespace: { team: 'pay' } }, b, 80)).toBe(true);
    expect(connectionAllowed(policy, { pod: { app: 'c' }, namespace: { team: 'pay' } }, b, 80)).toBe(false);
    expect(connectionAllowed(policy, { pod: { app: 'a' }, namespace: { team: 'x' } }, b, 80)).toBe(false);
    // Same labels in our own namespace: a namespaceSelector is not resolved for it.
    expect(connectionAllowed(policy, { pod: { app: 'a' } }, b, 80)).toBe(false);
  });

  it('reads a bare podSelector as our namespace only', () => {
    expect(connectionAllowed(policy, { pod: { app: 'local' } }, b, 80)).toBe(true);
    expect(connectionAllowed(policy, { pod: { app: 'local' }, namespace: { team: 'pay' } }, b, 80)).toBe(
      false,
    );
  });
});
