import { join } from 'node:path';
import type { DemoPki, DemoQwacName } from '@psd2/test-pki';
import { testRedisUrl } from './dependencies.js';
import { serviceTlsEnv } from './edge-identity.js';
import { waitForHttp } from './http.js';
import { createIsolatedSchema, type IsolatedSchema } from './postgres.js';
import { freePorts, repoRoot, type StartedProcess, startNodeProcess } from './processes.js';
import { createIsolatedRedisPrefix } from './redis.js';
import { type ClusterNodeAddress, tokenStoreEnv } from './redis-cluster.js';
import { testPki } from './test-pki.js';
import { createTppClients } from './tpp-clients.js';

/*
 * The whole system as separate processes, the way `pnpm start` and Kubernetes run it: the client
 * registry over gRPC (its own PostgreSQL schema), the four HTTP services (their own Redis key prefix),
 * the internal payment-consent gRPC API (same Redis prefix; never behind the edge), and the local mTLS
 * edge in front, all on free ports. Tests then act as a TPP would: through the edge,
 * presenting a QWAC from the shared test PKI.
 *
 * The environment contract every HTTP service honours (unknown variables are ignored):
 *   PORT, HEALTH_PORT, HOST, LOG_LEVEL, ISSUER, DEPLOYMENT_MODE, REDIS_URL (or
 *   REDIS_CLUSTER_NODES, REDIS_TLS), REDIS_KEY_PREFIX, DATABASE_URL,
 *   CLIENT_REGISTRY_ADDRESS, CLIENT_REGISTRY_PLAINTEXT, TLS_CERT_FILE, TLS_KEY_FILE, EDGE_PEER_CA_FILE,
 *   EDGE_PEER_NAMES. PORT is HTTPS for the edge's client certificate alone (pki.internal.edge).
 * The edge has a second, internal listener (introspection only), as Envoy's for the bank's API.
 */

export const HTTP_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;
export type HttpServiceName = (typeof HTTP_SERVICES)[number];
type ProcessName = HttpServiceName | 'client-registry' | 'payment-consent' | 'local-edge';

export interface SystemOptions {
  /** Names the database schema and key prefix, e.g. the test file's name. */
  readonly label: string;
  /** Extra environment per process, e.g. `{ authorization: { DEPLOYMENT_MODE: 'bank' } }`. */
  readonly env?: Partial<Readonly<Record<ProcessName, Readonly<Record<string, string>>>>>;
  /** Extra environment for every process. */
  readonly commonEnv?: Readonly<Record<string, string>>;
  /**
   * Runs every Redis user (the services, payment-consent, the registry's admin API) on this Redis
   * Cluster (REDIS_CLUSTER_NODES, plaintext) instead of the shared Redis; the key prefix still isolates.
   */
  readonly redisCluster?: readonly ClusterNodeAddress[];
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json<T = Record<string, unknown>>(): T;
}

export type TppFetch = (
  path: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<HttpResult>;

export interface RunningSystem {
  /** `https://localhost:<port>`: also the ISSUER every service was given. */
  readonly edgeUrl: string;
  /**
   * `https://localhost:<port>` of the edge's internal listener (EDGE_INTERNAL_PORT): introspection, for
   * the bank's API, is there and not on `edgeUrl`. The token service advertises it (INTROSPECTION_ENDPOINT).
   */
  readonly internalEdgeUrl: string;
  readonly pki: DemoPki;
  readonly registryAddress: string;
  /** `127.0.0.1:<port>` of the registry's admin API (mutual TLS, operator certificates). */
  readonly adminAddress: string;
  /** The environment `pnpm admin` needs to reach it as the demo operator (ADMIN_ADDRESS, ADMIN_*_FILE). */
  readonly adminEnv: Readonly<Record<string, string>>;
  /** `127.0.0.1:<port>` of the payment-consent gRPC API (plaintext), as the bank's payment API calls it. */
  readonly paymentConsentAddress: string;
  /** The shared single Redis; not what the processes use when the system runs on `redisCluster`. */
  readonly redisUrl: string;
  /** The cluster the processes use, when started with `redisCluster`. */
  readonly redisCluster: readonly ClusterNodeAddress[] | undefined;
  readonly redisKeyPrefix: string;
  readonly database: IsolatedSchema;
  /**
   * A service's own URL, https://127.0.0.1:<port>, bypassing the edge (for tests of the edge's
   * guarantees): it answers only a client presenting the edge's certificate (pki.internal.edge) and
   * trusting the internal CA (pki.internal.ca).
   */
  serviceUrl(name: HttpServiceName): string;
  /** A service's plain-HTTP probe URL (HEALTH_PORT): `/healthz` and `/readyz` only. */
  serviceHealthUrl(name: HttpServiceName): string;
  /** Requests through the edge presenting a demo QWAC, or none (`undefined`), as a PSU's browser does. */
  client(qwac: DemoQwacName | undefined): TppFetch;
  /** Requests to the edge's internal listener, as the bank's API makes them (e.g. `psp-as`). */
  internalClient(qwac: DemoQwacName | undefined): TppFetch;
  /** RFC 7662 introspection of `token` on the internal listener, as the bank's API (`psp-as` unless given). */
  introspect(token: string, qwac?: DemoQwacName): Promise<HttpResult>;
  /** What a process has written so far (its JSON log lines). */
  output(name: ProcessName): string;
  /** Each process's id, e.g. to pin the system under test to a CPU in a benchmark. */
  processIds(): Readonly<Record<string, number>>;
  /** Stops the client registry (an outage test); `startRegistry` brings it back on the same port. */
  stopRegistry(): Promise<void>;
  startRegistry(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

function startService(dir: string, env: Record<string, string>): StartedProcess {
  return startNodeProcess({
    cwd: join(repoRoot, dir),
    args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
    env,
  });
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const pki = await testPki();
  const database = await createIsolatedSchema(options.label);
  const redisKeyPrefix = createIsolatedRedisPrefix(options.label);
  const redisUrl = testRedisUrl();
  const redisEnv = tokenStoreEnv(options.redisCluster, redisUrl);
  const names = [
    'registry',
    'admin',
    'paymentConsent',
    'edge',
    'edgeInternal',
    'edgeHealth',
    'registration',
    'authorization',
    'token',
    'revocation',
    'registrationHealth',
    'authorizationHealth',
    'tokenHealth',
    'revocationHealth',
  ] as const;
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, index) => [name, free[index] ?? 0])) as Record<
    (typeof names)[number],
    number
  >;
  const edgeUrl = `https://localhost:${ports.edge}`;
  const internalEdgeUrl = `https://localhost:${ports.edgeInternal}`;
  const registryAddress = `127.0.0.1:${ports.registry}`;
  const adminAddress = `127.0.0.1:${ports.admin}`;
  const { operators } = pki;
  const paymentConsentAddress = `127.0.0.1:${ports.paymentConsent}`;
  const processes = new Map<ProcessName, StartedProcess>();
  const common = { LOG_LEVEL: 'info', OTEL_SDK_DISABLED: 'true', ...options.commonEnv };

  const stop = async () => {
    await Promise.all([...processes.values()].map((process) => process.stop()));
    await database.drop().catch(() => undefined);
  };

  const startRegistry = async () => {
    const registry = startService('services/client-registry', {
      ...common,
      PORT: String(ports.registry),
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      REGISTRY_PLAINTEXT: 'true',
      // The operators' admin API and the token store it suspends and withdraws through.
      ADMIN_PORT: String(ports.admin),
      ADMIN_TLS_CERT_FILE: operators.server.cert,
      ADMIN_TLS_KEY_FILE: operators.server.key,
      ADMIN_CLIENT_CA_FILE: operators.ca.cert,
      ...redisEnv,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      ...options.env?.['client-registry'],
    });
    processes.set('client-registry', registry);
    await registry.waitForOutput('client registry listening', START_TIMEOUT_MS);
  };

  try {
    await startRegistry();

    const serviceEnv = {
      ...common,
      HOST: '127.0.0.1',
      // The services default to bank mode; the tests drive the simulated-PSU sandbox unless a test
      // asks for `bank` through `env`.
      DEPLOYMENT_MODE: 'sandbox',
      ISSUER: edgeUrl,
      ...redisEnv,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      DATABASE_URL: database.url,
      CLIENT_REGISTRY_ADDRESS: registryAddress,
      CLIENT_REGISTRY_PLAINTEXT: 'true',
    };
    // As `pnpm start` does: the demo bank's API (the `psp-as` QWAC) may introspect, on the internal listener.
    const ownEnv: Partial<Record<HttpServiceName, Record<string, string>>> = {
      token: {
        INTROSPECTION_ALLOWED_ORGANIZATIONS: pki.qwacs['psp-as'].organizationIdentifier,
        INTROSPECTION_ENDPOINT: `${internalEdgeUrl}/oauth2/introspect`,
      },
    };
    for (const name of HTTP_SERVICES) {
      processes.set(
        name,
        startService(`services/${name}`, {
          ...serviceEnv,
          PORT: String(ports[name]),
          HEALTH_PORT: String(ports[`${name}Health`]),
          ...serviceTlsEnv(pki, name),
          ...ownEnv[name],
          ...options.env?.[name],
        }),
      );
    }
    const paymentConsent = startService('services/payment-consent', {
      ...serviceEnv,
      PORT: String(ports.paymentConsent),
      PAYMENT_CONSENT_PLAINTEXT: 'true',
      ...options.env?.['payment-consent'],
    });
    processes.set('payment-consent', paymentConsent);
    await Promise.all([
      ...HTTP_SERVICES.map((name) => waitForHttp(`http://127.0.0.1:${ports[`${name}Health`]}/healthz`)),
      paymentConsent.waitForOutput('payment consent listening', START_TIMEOUT_MS),
    ]);

    const edge = startService('services/local-edge', {
      ...common,
      EDGE_PORT: String(ports.edge),
      EDGE_HEALTH_PORT: String(ports.edgeHealth),
      EDGE_INTERNAL_PORT: String(ports.edgeInternal),
      EDGE_TLS_CERT_FILE: pki.server.cert,
      EDGE_TLS_KEY_FILE: pki.server.key,
      EDGE_CLIENT_CA_FILE: pki.clientCaBundle,
      ISSUER: edgeUrl,
      UPSTREAM_TLS_CERT_FILE: pki.internal.edge.cert,
      UPSTREAM_TLS_KEY_FILE: pki.internal.edge.key,
      UPSTREAM_CA_FILE: pki.internal.ca.cert,
      REGISTRATION_UPSTREAM: `https://127.0.0.1:${ports.registration}`,
      AUTHORIZATION_UPSTREAM: `https://127.0.0.1:${ports.authorization}`,
      TOKEN_UPSTREAM: `https://127.0.0.1:${ports.token}`,
      REVOCATION_UPSTREAM: `https://127.0.0.1:${ports.revocation}`,
      ...options.env?.['local-edge'],
    });
    processes.set('local-edge', edge);
    await waitForHttp(`http://127.0.0.1:${ports.edgeHealth}/ready`);
  } catch (error) {
    const logs = [...processes.entries()]
      .map(([name, process]) => `--- ${name}\n${process.output()}`)
      .join('\n');
    await stop();
    throw new Error(
      `the system did not start: ${error instanceof Error ? error.message : String(error)}\n${logs}`,
    );
  }

  const tpp = createTppClients(pki);
  const internalClient = tpp.clientOf(internalEdgeUrl);

  return {
    edgeUrl,
    internalEdgeUrl,
    pki,
    registryAddress,
    adminAddress,
    adminEnv: {
      ADMIN_ADDRESS: adminAddress,
      ADMIN_CERT_FILE: operators.operator.cert,
      ADMIN_KEY_FILE: operators.operator.key,
      ADMIN_CA_FILE: operators.ca.cert,
    },
    paymentConsentAddress,
    redisUrl,
    redisCluster: options.redisCluster,
    redisKeyPrefix,
    database,
    serviceUrl: (name) => `https://127.0.0.1:${ports[name]}`,
    serviceHealthUrl: (name) => `http://127.0.0.1:${ports[`${name}Health`]}`,
    client: tpp.clientOf(edgeUrl),
    internalClient,
    introspect: (token, qwac = 'psp-as') =>
      internalClient(qwac)('/oauth2/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      }),
    output: (name) => processes.get(name)?.output() ?? '',
    processIds: () =>
      Object.fromEntries(
        [...processes.entries()].flatMap(([name, process]) =>
          process.child.pid === undefined ? [] : [[name, process.child.pid]],
        ),
      ),
    async stopRegistry() {
      await processes.get('client-registry')?.stop();
    },
    startRegistry,
    async stop() {
      await tpp.close();
      await stop();
    },
  };
}
