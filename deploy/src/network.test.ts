import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  DEPLOY_DIR,
  field,
  type KubeObject,
  OVERLAYS,
  type Overlay,
  parseManifests,
  renderOverlay,
} from './manifests.js';
import { connectionAllowed, inCidr, type Labels, matchesSelector, type Peer, podLabels } from './network.js';
import { tokenStoreProcesses } from './service-settings.js';

const HTTP = { registration: 8081, authorization: 8082, token: 8083, revocation: 8084 } as const;
/** Every process that reads REDIS_URL (registration too: revocation markers and rate limits). */
const TOKEN_STORE_USERS = tokenStoreProcesses();
/** The registry's database clients, and the PSU directory's (the authorization service). */
const REGISTRY_DATABASE_USERS = ['client-registry', 'client-registry-migrate'];
const PSU_DIRECTORY_DATABASE_USERS = ['authorization', 'psu-directory-migrate'];
const POSTGRES_USERS = [...REGISTRY_DATABASE_USERS, ...PSU_DIRECTORY_DATABASE_USERS];
/** A pod of the namespace that is none of ours: what an attacker's foothold would look like. */
const INTRUDER: Peer = { pod: { 'app.kubernetes.io/name': 'intruder' } };
/** A TPP or PSU browser on the internet. */
const INTERNET: Peer = { ip: '203.0.113.7' };
/** A managed database or Redis in the bank's private range (production overlay placeholder). */
const DATASTORE: Peer = { ip: '10.20.30.40' };

/** The pod of the one-off add-psu Job (deploy/k8s/tools), which is not part of any render. */
const ADD_PSU: Peer = (() => {
  const [job] = parseManifests(readFileSync(join(DEPLOY_DIR, 'k8s', 'tools', 'add-psu-job.yaml'), 'utf8'));
  return { pod: field(job, 'spec', 'template', 'metadata', 'labels') as Labels };
})();

const cache = new Map<Overlay, KubeObject[]>();
function objectsOf(overlay: Overlay): KubeObject[] {
  const cached = cache.get(overlay) ?? parseManifests(renderOverlay(overlay));
  cache.set(overlay, cached);
  return cached;
}

function pod(objects: readonly KubeObject[], name: string): Peer {
  const labels: Labels | undefined = podLabels(objects).get(name);
  if (labels === undefined) throw new Error(`no workload ${name}`);
  return { pod: labels };
}

describe.each(OVERLAYS)('NetworkPolicies of the %s overlay', (overlay) => {
  const allowed = (from: string | Peer, to: string | Peer, port: number): boolean => {
    const objects = objectsOf(overlay);
    const peer = (p: string | Peer): Peer => (typeof p === 'string' ? pod(objects, p) : p);
    return connectionAllowed(objects, peer(from), peer(to), port);
  };
  const workloads = (): string[] => [...podLabels(objectsOf(overlay)).keys()];

  it('let the internet reach the edge on TLS only', () => {
    expect(allowed(INTERNET, 'edge', 8443)).toBe(true);
    expect(allowed(INTERNET, 'edge', 9901)).toBe(false);
  });

  it('let only the edge reach the HTTP services, so XFCC can only come from Envoy', () => {
    for (const [service, port] of Object.entries(HTTP)) {
      expect(allowed('edge', service, port)).toBe(true);
      for (const other of [...workloads().filter((name) => name !== 'edge'), INTRUDER, INTERNET]) {
        expect({ from: other, to: service, allowed: allowed(other, service, port) }).toEqual({
          from: other,
          to: service,
          allowed: false,
        });
      }
    }
  });

  it('let only the HTTP services and the payment-consent API reach the client registry', () => {
    for (const name of [...workloads(), INTRUDER, INTERNET]) {
      const expected = typeof name === 'string' && (name in HTTP || name === 'payment-consent');
      expect({ from: name, allowed: allowed(name, 'client-registry', 50051) }).toEqual({
        from: name,
        allowed: expected,
      });
    }
  });

  it('let every component export telemetry to the collector, and Envoy reach it over gRPC', () => {
    expect(allowed('edge', 'otel-collector', 4317)).toBe(true);
    for (const name of [...Object.keys(HTTP), ...POSTGRES_USERS]) {
      expect(allowed(name, 'otel-collector', 4318)).toBe(true);
    }
    expect(allowed(INTRUDER, 'otel-collector', 4318)).toBe(false);
  });

  it('deny everything else by default', () => {
    expect(allowed(INTRUDER, 'edge', 9902)).toBe(false);
    expect(allowed('token', 'registration', 8081)).toBe(false);
    expect(allowed('edge', INTERNET, 443)).toBe(false);
    expect(allowed('client-registry', INTERNET, 443)).toBe(false);
    expect(allowed('authorization', INTERNET, 443)).toBe(false);
  });

  it("let the one-off add-psu Job reach the PSU directory's database and nothing else of ours", () => {
    const database = overlay === 'sandbox' ? 'postgres' : DATASTORE;
    expect(allowed(ADD_PSU, database, 5432)).toBe(true);
    for (const [name, port] of [...Object.entries(HTTP), ['client-registry', 50051] as const]) {
      expect({ to: name, allowed: allowed(ADD_PSU, name, port) }).toEqual({ to: name, allowed: false });
    }
    expect(allowed(ADD_PSU, INTERNET, 443)).toBe(false);
    expect(allowed(ADD_PSU, overlay === 'sandbox' ? 'redis' : DATASTORE, 6379)).toBe(false);
  });

  it('let nothing connect to the migration Jobs, which serve nothing', () => {
    for (const job of ['client-registry-migrate', 'psu-directory-migrate']) {
      for (const name of [...workloads(), INTRUDER, INTERNET]) {
        for (const port of [8080, 8082, 50051]) {
          expect({ from: name, to: job, port, allowed: allowed(name, job, port) }).toEqual({
            from: name,
            to: job,
            port,
            allowed: false,
          });
        }
      }
    }
  });

  it('let the PSU directory migration Job reach nothing but PostgreSQL, DNS and the collector', () => {
    expect(allowed('psu-directory-migrate', 'client-registry', 50051)).toBe(false);
    expect(allowed('psu-directory-migrate', 'authorization', 8082)).toBe(false);
    expect(allowed('psu-directory-migrate', INTERNET, 443)).toBe(false);
    expect(allowed('psu-directory-migrate', INTERNET, 5432)).toBe(false);
  });

  if (overlay === 'sandbox') {
    it('let every process that reads REDIS_URL reach Redis, and nothing else', () => {
      for (const name of [...workloads(), INTRUDER]) {
        const expected = typeof name === 'string' && TOKEN_STORE_USERS.includes(name);
        expect({ from: name, allowed: allowed(name, 'redis', 6379) }).toEqual({
          from: name,
          allowed: expected,
        });
      }
    });

    it('let only the registry, the authorization service and their migration Jobs reach PostgreSQL', () => {
      for (const name of [...workloads(), INTRUDER, INTERNET]) {
        const expected = typeof name === 'string' && POSTGRES_USERS.includes(name);
        expect({ from: name, allowed: allowed(name, 'postgres', 5432) }).toEqual({
          from: name,
          allowed: expected,
        });
      }
      // On its port only: the PSU directory's client gets no other way into the database pod.
      expect(allowed('authorization', 'postgres', 5433)).toBe(false);
      expect(allowed('authorization', 'postgres', 22)).toBe(false);
    });
  } else {
    it('let only the registry, the authorization service and their Jobs open connections to the external PostgreSQL', () => {
      for (const name of workloads()) {
        const expected = POSTGRES_USERS.includes(name);
        expect({ from: name, allowed: allowed(name, DATASTORE, 5432) }).toEqual({
          from: name,
          allowed: expected,
        });
      }
    });

    it("give the registry's database and the PSU directory's an egress policy each", () => {
      // Each policy selects its own clients, so that a bank whose PSU directory lives in another
      // instance narrows each range on its own, and neither client reaches the other's database.
      const objects = objectsOf(overlay);
      const labels = podLabels(objects);
      const policy = (name: string): KubeObject => {
        const found = objects.find(
          (object) => object.kind === 'NetworkPolicy' && object.metadata.name === name,
        );
        if (found === undefined) throw new Error(`no NetworkPolicy ${name}`);
        return found;
      };
      const selected = (name: string): string[] =>
        workloads()
          .filter((workload) =>
            matchesSelector(field(policy(name), 'spec', 'podSelector'), labels.get(workload) ?? {}),
          )
          .sort();
      const expected = {
        'postgres-clients': REGISTRY_DATABASE_USERS,
        'psu-directory-database-clients': PSU_DIRECTORY_DATABASE_USERS,
      };
      for (const [name, clients] of Object.entries(expected)) {
        expect({ policy: name, selects: selected(name) }).toEqual({
          policy: name,
          selects: [...clients].sort(),
        });
        for (const client of clients) {
          expect(connectionAllowed([policy(name)], pod(objects, client), DATASTORE, 5432)).toBe(true);
          expect(connectionAllowed([policy(name)], pod(objects, client), DATASTORE, 6379)).toBe(false);
        }
      }
    });

    it('let every process that reads REDIS_URL, and nothing else, open connections to the external Redis', () => {
      for (const name of workloads()) {
        const expected = TOKEN_STORE_USERS.includes(name);
        // 6379, and 6380 for TLS: one Redis or every node of a Redis Cluster (the same range).
        for (const port of [6379, 6380]) {
          expect({ from: name, port, allowed: allowed(name, DATASTORE, port) }).toEqual({
            from: name,
            port,
            allowed: expected,
          });
        }
        // A cluster's bus is between its nodes: no client of ours needs it.
        expect({ from: name, bus: allowed(name, DATASTORE, 16379) }).toEqual({ from: name, bus: false });
      }
    });
  }
});

describe('the NetworkPolicy evaluator', () => {
  const policy = (spec: string): KubeObject[] =>
    parseManifests(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n${spec}`,
    );
  const a: Peer = { pod: { app: 'a' } };
  const b: Peer = { pod: { app: 'b' } };

  it('allows everything when no policy selects either pod', () => {
    expect(connectionAllowed([], a, b, 80)).toBe(true);
  });

  it('denies ingress to a selected pod unless a rule admits the source and port', () => {
    const objects = policy(`  podSelector: { matchLabels: { app: b } }
  ingress:
    - from: [{ podSelector: { matchLabels: { app: a } } }]
      ports: [{ port: 80 }]`);
    expect(connectionAllowed(objects, a, b, 80)).toBe(true);
    expect(connectionAllowed(objects, a, b, 81)).toBe(false);
    expect(connectionAllowed(objects, { pod: { app: 'c' } }, b, 80)).toBe(false);
    expect(connectionAllowed(objects, { ip: '198.51.100.1' }, b, 80)).toBe(false);
  });

  it('requires the egress side too', () => {
    const objects = policy('  podSelector: {}\n  policyTypes: [Egress]');
    expect(connectionAllowed(objects, a, b, 80)).toBe(false);
  });

  it('reads an ingress rule without from as any source, and an empty rule list as none', () => {
    expect(
      connectionAllowed(policy('  podSelector: {}\n  ingress: [{}]'), { ip: '198.51.100.1' }, b, 80),
    ).toBe(true);
    expect(connectionAllowed(policy('  podSelector: {}\n  ingress: []'), a, b, 80)).toBe(false);
  });

  it('matches label expressions and CIDR blocks', () => {
    const selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] };
    expect(matchesSelector(selector, { app: 'a' })).toBe(true);
    expect(matchesSelector(selector, { app: 'c' })).toBe(false);
    expect(matchesSelector({}, { anything: 'x' })).toBe(true);
    expect(inCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inCidr('192.0.2.1', '0.0.0.0/0')).toBe(true);
  });
});
