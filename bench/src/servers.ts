import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoQwacName } from '@psd2/test-pki';
import { freePort, type RunningSystem, repoRoot, type StartedProcess, startNodeProcess } from '@psd2/testing';
import { Agent } from 'undici';
import { xfccAgent } from './agents.js';
import { otelEnv, settings } from './bench-settings.js';
import { pin } from './pin.js';

/* The servers under load: ours, and node-oidc-provider behind the same local edge, each on a path. */

export type BenchPath = 'edge' | 'direct';

export interface Server {
  readonly name: string;
  readonly path: BenchPath;
  readonly origin: string;
  /** Where the bank's API introspects: the edge's internal listener, or `origin` without an edge. */
  readonly introspectionOrigin: string;
  readonly clientId: string;
  readonly bankClientId?: string;
  /** The processes doing its work, for CPU time per request. */
  readonly processes: Readonly<Record<string, number>>;
}

/** Per path, keep-alive connections presenting the PISP's and the bank's QWACs. */
export type Agents = Record<BenchPath, { readonly pisp: Agent; readonly bank: Agent }>;

export function createAgents(system: RunningSystem): Agents {
  const ca = readFileSync(system.pki.ca.cert);
  const agentFor = (qwac: DemoQwacName) =>
    new Agent({
      connections: settings.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      connect: {
        ca,
        cert: readFileSync(system.pki.qwacs[qwac].cert),
        key: readFileSync(system.pki.qwacs[qwac].key),
      },
    });
  const { internal } = system.pki;
  const edge = {
    cert: readFileSync(internal.edge.cert),
    key: readFileSync(internal.edge.key),
    ca: readFileSync(internal.ca.cert),
  };
  const directAgentFor = (qwac: DemoQwacName) =>
    xfccAgent(readFileSync(system.pki.qwacs[qwac].cert, 'utf8'), settings.connections, edge);
  return {
    edge: { pisp: agentFor('psp-pi'), bank: agentFor('psp-as') },
    direct: { pisp: directAgentFor('psp-pi'), bank: directAgentFor('psp-as') },
  };
}

/** Our token service on each path settings.paths names. */
export function ourServers(system: RunningSystem, clientId: string): Server[] {
  const ids = system.processIds();
  const pidsOf = (names: readonly string[]): Record<string, number> =>
    Object.fromEntries(names.flatMap((name) => (ids[name] === undefined ? [] : [[name, ids[name]]])));
  const servers: Server[] = [];
  if (settings.paths.includes('edge'))
    servers.push({
      name: 'ours',
      path: 'edge',
      origin: system.edgeUrl,
      introspectionOrigin: system.internalEdgeUrl,
      clientId,
      processes: pidsOf(['local-edge', 'token', 'client-registry']),
    });
  if (settings.paths.includes('direct')) {
    servers.push({
      name: 'ours',
      path: 'direct',
      origin: system.serviceUrl('token'),
      introspectionOrigin: system.serviceUrl('token'),
      clientId,
      processes: pidsOf(['token', 'client-registry']),
    });
  }
  return servers;
}

/**
 * node-oidc-provider on the same Redis, with a local edge of its own in front: its processes are
 * pushed onto `started` as soon as each runs, so the caller stops them whatever happens next.
 */
export async function startOidcServers(system: RunningSystem, started: StartedProcess[]): Promise<Server[]> {
  const oidcPort = await freePort();
  const edgePort = await freePort();
  const edgeHealthPort = await freePort();
  const edgeInternalPort = await freePort();
  const issuer = `https://localhost:${edgePort}`;
  const subjectOf = (qwac: DemoQwacName) =>
    new X509Certificate(readFileSync(system.pki.qwacs[qwac].cert)).subject;
  const oidc = startNodeProcess({
    cwd: join(repoRoot, 'bench'),
    args: ['dist/oidc-provider-main.js'],
    env: {
      PORT: String(oidcPort),
      // Behind the same TLS hop as our services: the edge's client certificate, the internal CA.
      TLS_CERT_FILE: system.pki.internal.services.token.cert,
      TLS_KEY_FILE: system.pki.internal.services.token.key,
      EDGE_PEER_CA_FILE: system.pki.internal.ca.cert,
      ISSUER: issuer,
      REDIS_URL: system.redisUrl,
      REDIS_KEY_PREFIX: `${system.redisKeyPrefix}oidc:`,
      PISP_CLIENT_ID: 'oidc-pisp',
      PISP_SUBJECT: subjectOf('psp-pi'),
      BANK_CLIENT_ID: 'oidc-bank',
      BANK_SUBJECT: subjectOf('psp-as'),
      NODE_ENV: 'production',
    },
  });
  started.push(oidc);
  await oidc.waitForOutput('oidc-provider listening');
  const edge = startNodeProcess({
    cwd: join(repoRoot, 'services', 'local-edge'),
    args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
    env: {
      ...otelEnv,
      EDGE_PORT: String(edgePort),
      EDGE_HEALTH_PORT: String(edgeHealthPort),
      EDGE_INTERNAL_PORT: String(edgeInternalPort),
      EDGE_TLS_CERT_FILE: system.pki.server.cert,
      EDGE_TLS_KEY_FILE: system.pki.server.key,
      EDGE_CLIENT_CA_FILE: system.pki.clientCaBundle,
      ISSUER: issuer,
      UPSTREAM_TLS_CERT_FILE: system.pki.internal.edge.cert,
      UPSTREAM_TLS_KEY_FILE: system.pki.internal.edge.key,
      UPSTREAM_CA_FILE: system.pki.internal.ca.cert,
      TOKEN_UPSTREAM: `https://127.0.0.1:${oidcPort}`,
    },
  });
  started.push(edge);
  await edge.waitForOutput('local edge listening');
  const servers: Server[] = [];
  if (settings.paths.includes('edge')) {
    servers.push({
      name: 'node-oidc-provider',
      path: 'edge',
      origin: issuer,
      // Its introspection behind the same local edge, on the internal listener as ours.
      introspectionOrigin: `https://localhost:${edgeInternalPort}`,
      clientId: 'oidc-pisp',
      bankClientId: 'oidc-bank',
      processes: { 'local-edge': edge.child.pid ?? 0, 'node-oidc-provider': oidc.child.pid ?? 0 },
    });
  }
  if (settings.paths.includes('direct')) {
    servers.push({
      name: 'node-oidc-provider',
      path: 'direct',
      origin: `https://127.0.0.1:${oidcPort}`,
      introspectionOrigin: `https://127.0.0.1:${oidcPort}`,
      clientId: 'oidc-pisp',
      bankClientId: 'oidc-bank',
      processes: { 'node-oidc-provider': oidc.child.pid ?? 0 },
    });
  }
  if (oidc.child.pid !== undefined) pin(oidc.child.pid, 0);
  if (edge.child.pid !== undefined) pin(edge.child.pid, 0);
  return servers;
}
