import { field, isRecord, type KubeObject, records } from './manifests.js';

/*
 * A small evaluator of NetworkPolicy semantics, enough to answer "may pod A open a TCP connection
 * to pod B on port P" for pods of one namespace and for peers outside the cluster. It follows the
 * API's rules: a pod selected by no policy of a direction is open in that direction; once selected,
 * only what some selecting policy allows gets through, and a connection needs both the source's
 * egress and the destination's ingress. A pod of another namespace is named with its namespace's
 * labels: a namespaceSelector matches it by them (and a bare podSelector never does), and the
 * policies here do not govern its egress, only our ingress. Named ports are not resolved, nor does a
 * namespaceSelector match our own namespace: such a rule matches nothing here, so the evaluator errs
 * towards "denied".
 */

export type Labels = Readonly<Record<string, string>>;

/**
 * A pod of the namespace (by its labels), a pod of another namespace (`namespace`: that namespace's
 * labels), or an address outside the cluster.
 */
export type Peer = { readonly pod: Labels; readonly namespace?: Labels } | { readonly ip: string };

/** A pod of the namespace the policies belong to, whose own egress they govern. */
const ownPod = (peer: Peer): peer is { readonly pod: Labels } =>
  'pod' in peer && peer.namespace === undefined;

export function matchesSelector(selector: unknown, labels: Labels): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = field(selector, 'matchLabels');
  if (isRecord(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  }
  for (const expression of records(selector.matchExpressions)) {
    const key = String(expression.key);
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const value = labels[key];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base ?? '');
  const bits = Number(bitsText);
  if (address === undefined || network === undefined || !Number.isInteger(bits)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}

function peerMatches(rulePeer: Record<string, unknown>, peer: Peer): boolean {
  if ('ip' in peer) {
    const block = rulePeer.ipBlock;
    if (!isRecord(block) || typeof block.cidr !== 'string' || !inCidr(peer.ip, block.cidr)) return false;
    const except = Array.isArray(block.except) ? block.except.map(String) : [];
    return !except.some((cidr) => inCidr(peer.ip, cidr));
  }
  if (rulePeer.ipBlock !== undefined) return false;
  if (rulePeer.namespaceSelector !== undefined) {
    // Other namespaces by their labels, and within them the pods podSelector picks (all when absent).
    if (peer.namespace === undefined || !matchesSelector(rulePeer.namespaceSelector, peer.namespace))
      return false;
    return rulePeer.podSelector === undefined || matchesSelector(rulePeer.podSelector, peer.pod);
  }
  // A podSelector alone selects pods of the policy's own namespace only.
  return peer.namespace === undefined && matchesSelector(rulePeer.podSelector, peer.pod);
}

function portMatches(rule: Record<string, unknown>, port: number): boolean {
  const ports = records(rule.ports);
  if (ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== 'TCP' || typeof entry.port !== 'number') return false;
    const end = typeof entry.endPort === 'number' ? entry.endPort : entry.port;
    return port >= entry.port && port <= end;
  });
}

type Direction = 'Ingress' | 'Egress';

function policyTypes(policy: KubeObject): Direction[] {
  const declared = field(policy, 'spec', 'policyTypes');
  if (Array.isArray(declared))
    return declared.filter((t): t is Direction => t === 'Ingress' || t === 'Egress');
  // The API's default: Ingress always, Egress when egress rules are present.
  return field(policy, 'spec', 'egress') === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

/** Whether the policies let `self` accept from (Ingress) or connect to (Egress) `other` on `port`. */
function allowedBy(
  policies: readonly KubeObject[],
  direction: Direction,
  self: Labels,
  other: Peer,
  port: number,
): boolean {
  const selecting = policies.filter(
    (policy) =>
      policyTypes(policy).includes(direction) && matchesSelector(field(policy, 'spec', 'podSelector'), self),
  );
  if (selecting.length === 0) return true;
  const ruleKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peerKey = direction === 'Ingress' ? 'from' : 'to';
  return selecting.some((policy) =>
    records(field(policy, 'spec', ruleKey)).some((rule) => {
      if (!portMatches(rule, port)) return false;
      const peers = rule[peerKey];
      // A missing or empty from/to means every peer, as the API defines it.
      if (!Array.isArray(peers) || peers.length === 0) return true;
      return records(peers).some((rulePeer) => peerMatches(rulePeer, other));
    }),
  );
}

/** May `from` open a TCP connection to `to` on `port`, given every NetworkPolicy of the namespace? */
export function connectionAllowed(
  objects: readonly KubeObject[],
  from: Peer,
  to: Peer,
  port: number,
): boolean {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
  const egressOk = ownPod(from) ? allowedBy(policies, 'Egress', from.pod, to, port) : true;
  const ingressOk = ownPod(to) ? allowedBy(policies, 'Ingress', to.pod, from, port) : true;
  return egressOk && ingressOk;
}

/** The labels of the pods a workload creates, by workload name. */
export function podLabels(objects: readonly KubeObject[]): Map<string, Labels> {
  const labels = new Map<string, Labels>();
  for (const object of objects) {
    // A CronJob's pods come from the template inside its jobTemplate.
    const spec =
      object.kind === 'CronJob' ? field(object, 'spec', 'jobTemplate', 'spec') : field(object, 'spec');
    const template = field(spec, 'template', 'metadata', 'labels');
    if (!isRecord(template)) continue;
    labels.set(
      object.metadata.name,
      Object.fromEntries(Object.entries(template).map(([key, value]) => [key, String(value)])),
    );
  }
  return labels;
}
