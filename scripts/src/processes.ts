import { join } from 'node:path';
import type { InternalPki, InternalService } from '@psd2/test-pki';

/*
 * The table of processes `pnpm start` runs, in start order. Each is the service's own `main`, started
 * exactly as its package's `start` script (and the container image) starts it.
 */

export interface ProcessSpec {
  readonly name: string;
  /** Processes of one stage start together; a stage starts once the previous one is healthy. */
  readonly stage: number;
  /** The workspace folder whose `dist/main.js` runs. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  /** What `pnpm start` waits for before starting the next process and what it prints. */
  readonly health:
    | { readonly kind: 'http'; readonly url: string }
    /** grpc.health.v1 SERVING for the whole server (''), as a Kubernetes gRPC probe asks. */
    | { readonly kind: 'grpc'; readonly address: string };
  readonly listens: string;
}

export interface Ports {
  readonly edge: number;
  readonly edgeHealth: number;
  /** The edge's internal listener: introspection, for the bank's API. */
  readonly edgeInternal: number;
  readonly registry: number;
  /** The registry's operators' admin API (mutual TLS). */
  readonly admin: number;
  readonly paymentConsent: number;
  readonly registration: number;
  readonly authorization: number;
  readonly token: number;
  readonly revocation: number;
  /** Each HTTP service's plain-HTTP probe port (HEALTH_PORT); its PORT serves the edge alone. */
  readonly serviceHealth: Readonly<Record<InternalService, number>>;
}

export function defaultPorts(env: NodeJS.ProcessEnv): Ports {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${name} must be an integer from 1 to 65535`);
    }
    return value;
  };
  return {
    edge: read('EDGE_PORT', 8443),
    edgeHealth: read('EDGE_HEALTH_PORT', 9902),
    edgeInternal: read('EDGE_INTERNAL_PORT', 8444),
    registry: read('CLIENT_REGISTRY_PORT', 50051),
    admin: read('ADMIN_PORT', 50053),
    paymentConsent: read('PAYMENT_CONSENT_PORT', 50052),
    registration: read('REGISTRATION_PORT', 8081),
    authorization: read('AUTHORIZATION_PORT', 8082),
    token: read('TOKEN_PORT', 8083),
    revocation: read('REVOCATION_PORT', 8084),
    serviceHealth: {
      registration: read('REGISTRATION_HEALTH_PORT', 9081),
      authorization: read('AUTHORIZATION_HEALTH_PORT', 9082),
      token: read('TOKEN_HEALTH_PORT', 9083),
      revocation: read('REVOCATION_HEALTH_PORT', 9084),
    },
  };
}

/**
 * An HTTP service: HTTPS on PORT for the local edge alone (its server certificate and the internal CA
 * from the demo PKI, the edge's certificate as the only peer), the probes on HEALTH_PORT.
 */
function httpService(
  root: string,
  name: InternalService,
  ports: Ports,
  demo: DemoSettings,
  extraEnv: Readonly<Record<string, string>> = {},
): ProcessSpec {
  const port = ports[name];
  const healthPort = ports.serviceHealth[name];
  const files = demo.internal.services[name];
  return {
    name,
    stage: 1,
    dir: join(root, 'services', name),
    env: {
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
      HOST: '127.0.0.1',
      TLS_CERT_FILE: files.cert,
      TLS_KEY_FILE: files.key,
      EDGE_PEER_CA_FILE: demo.internal.ca.cert,
      CLIENT_REGISTRY_ADDRESS: `127.0.0.1:${ports.registry}`,
      CLIENT_REGISTRY_PLAINTEXT: 'true',
      ...extraEnv,
    },
    health: { kind: 'http', url: `http://127.0.0.1:${healthPort}/healthz` },
    listens: `https://127.0.0.1:${port} (the edge's certificate only; probes http://127.0.0.1:${healthPort})`,
  };
}

/**
 * The migration jobs (`dist/migrate.js`, as the Kubernetes Jobs run them) `pnpm start` runs before the
 * services when DATABASE_URL names a PostgreSQL: a development database is brought up to this build.
 * Without DATABASE_URL the embedded databases migrate themselves.
 */
export function migrationJobs(root: string): { readonly name: string; readonly dir: string }[] {
  return [
    { name: 'client-registry', dir: join(root, 'services', 'client-registry') },
    { name: 'psu-directory', dir: join(root, 'services', 'authorization') },
  ];
}

export interface EdgeTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string;
}

/** What the launcher takes from the demo PKI. */
export interface DemoSettings {
  /** organizationIdentifier of the demo bank API's QWAC (`psp-as`), allowed to introspect. */
  readonly bankOrganization: string;
  /** The operator CA and the admin server's certificate, for the registry's admin API. */
  readonly admin: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile: string };
  /** The internal CA, the services' server certificates and the edge's client certificate. */
  readonly internal: InternalPki;
}

export function processTable(root: string, ports: Ports, tls: EdgeTls, demo: DemoSettings): ProcessSpec[] {
  const upstream = (port: number) => `https://127.0.0.1:${port}`;
  return [
    {
      name: 'client-registry',
      stage: 0,
      dir: join(root, 'services', 'client-registry'),
      // Plaintext gRPC on loopback only; Kubernetes deployments use TLS between services.
      env: {
        PORT: String(ports.registry),
        HOST: '127.0.0.1',
        REGISTRY_PLAINTEXT: 'true',
        // Used only without DATABASE_URL: the embedded database keeps its data beside the demo PKI.
        PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR ?? join(root, '.local', 'pglite', 'client-registry'),
        // The operators' admin API, with the demo operator CA; it reaches the launcher's token store
        // (or Redis) like the HTTP services.
        ADMIN_PORT: String(ports.admin),
        ADMIN_HOST: '127.0.0.1',
        ADMIN_TLS_CERT_FILE: demo.admin.certFile,
        ADMIN_TLS_KEY_FILE: demo.admin.keyFile,
        ADMIN_CLIENT_CA_FILE: demo.admin.clientCaFile,
      },
      health: { kind: 'grpc', address: `127.0.0.1:${ports.registry}` },
      listens: `grpc://127.0.0.1:${ports.registry} (PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite in .local/pglite'}); admin API grpcs://127.0.0.1:${ports.admin} (operator certificates only)`,
    },
    {
      // The bank's payment API registers payment requests here (STET path, docs/payment-consent-api.md).
      // Internal only: gRPC on loopback, never behind the edge. It shares the launcher's token store
      // (TOKEN_STORE_URL) or Redis with the pages and the token service, like the HTTP services.
      name: 'payment-consent',
      stage: 1,
      dir: join(root, 'services', 'payment-consent'),
      env: {
        PORT: String(ports.paymentConsent),
        HOST: '127.0.0.1',
        PAYMENT_CONSENT_PLAINTEXT: 'true',
        CLIENT_REGISTRY_ADDRESS: `127.0.0.1:${ports.registry}`,
        CLIENT_REGISTRY_PLAINTEXT: 'true',
      },
      health: { kind: 'grpc', address: `127.0.0.1:${ports.paymentConsent}` },
      listens: `grpc://127.0.0.1:${ports.paymentConsent} (internal payment-consent API for the bank's payment API; not on the edge)`,
    },
    httpService(root, 'registration', ports, demo),
    httpService(root, 'authorization', ports, demo, {
      // Used only without DATABASE_URL: the PSU directory's embedded database, beside the registry's.
      // `PGLITE_DATA_DIR=memory://` (tests) keeps both embedded databases in memory.
      PGLITE_DATA_DIR:
        process.env.PGLITE_DATA_DIR === 'memory://'
          ? 'memory://'
          : join(root, '.local', 'pglite', 'psu-directory'),
    }),
    httpService(root, 'token', ports, demo, {
      INTROSPECTION_ALLOWED_ORGANIZATIONS:
        process.env.INTROSPECTION_ALLOWED_ORGANIZATIONS || demo.bankOrganization,
      // The edge's internal listener, the only one serving introspection (docs/edge.md).
      INTROSPECTION_ENDPOINT: `https://localhost:${ports.edgeInternal}/oauth2/introspect`,
    }),
    httpService(root, 'revocation', ports, demo),
    {
      name: 'local-edge',
      stage: 2,
      dir: join(root, 'services', 'local-edge'),
      env: {
        EDGE_PORT: String(ports.edge),
        EDGE_HEALTH_PORT: String(ports.edgeHealth),
        EDGE_INTERNAL_PORT: String(ports.edgeInternal),
        EDGE_TLS_CERT_FILE: tls.certFile,
        EDGE_TLS_KEY_FILE: tls.keyFile,
        EDGE_CLIENT_CA_FILE: tls.clientCaFile,
        UPSTREAM_TLS_CERT_FILE: demo.internal.edge.cert,
        UPSTREAM_TLS_KEY_FILE: demo.internal.edge.key,
        UPSTREAM_CA_FILE: demo.internal.ca.cert,
        REGISTRATION_UPSTREAM: upstream(ports.registration),
        AUTHORIZATION_UPSTREAM: upstream(ports.authorization),
        TOKEN_UPSTREAM: upstream(ports.token),
        REVOCATION_UPSTREAM: upstream(ports.revocation),
      },
      health: { kind: 'http', url: `http://127.0.0.1:${ports.edgeHealth}/ready` },
      listens: `https://localhost:${ports.edge} (mTLS edge; introspection for the bank's API on https://localhost:${ports.edgeInternal}; readiness http://127.0.0.1:${ports.edgeHealth}/ready)`,
    },
  ];
}
