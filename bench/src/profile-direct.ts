import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import { freePort, repoRoot, startNodeProcess, startSystem, waitForHttp } from '@psd2/testing';
import { Agent } from 'undici';
import { xfccAgent } from './agents.js';
import { maxThroughput } from './load.js';
import { pin } from './pin.js';

/*
 * `node bench/dist/profile-direct.js`: where the token path spends its time. Starts a token service and
 * a local edge of its own (with --cpu-prof when PROFILE=1, profiles in /tmp/prof-token and
 * /tmp/prof-edge) beside a running system, then measures the token service alone (XFCC sent over TLS
 * with the edge's own client certificate, as the edge sends it) and through the edge.
 */

const profiling = process.env.PROFILE === '1';

const system = await startSystem({ label: 'profile', commonEnv: { OTEL_SDK_DISABLED: 'true' } });
const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
const pisp = await registerTestClient(registry, system.pki, 'psp-pi', {
  scope: 'pisp',
  grantTypes: ['client_credentials'],
});
registry.close();

const tokenPort = await freePort();
const tokenHealthPort = await freePort();
const edgePort = await freePort();
const { internal } = system.pki;
// PROFILE_NODE_ARGS: further node options for both processes (e.g. --trace-gc-nvp); their output is
// written to /tmp/prof-token.log and /tmp/prof-edge.log at the end.
const extraNodeArgs = (process.env.PROFILE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
const profile = (dir: string) => [
  ...extraNodeArgs,
  ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
];
const token = startNodeProcess({
  cwd: join(repoRoot, 'services', 'token'),
  args: [...profile('/tmp/prof-token'), '--import', '@psd2/telemetry/register', 'dist/main.js'],
  env: {
    OTEL_SDK_DISABLED: 'true',
    LOG_LEVEL: process.env.PROFILE_LOG_LEVEL ?? 'info',
    PORT: String(tokenPort),
    HEALTH_PORT: String(tokenHealthPort),
    TLS_CERT_FILE: internal.services.token.cert,
    TLS_KEY_FILE: internal.services.token.key,
    EDGE_PEER_CA_FILE: internal.ca.cert,
    ISSUER: system.edgeUrl,
    // The same mode as the system it stands beside (startSystem runs a sandbox).
    DEPLOYMENT_MODE: 'sandbox',
    REDIS_URL: system.redisUrl,
    REDIS_KEY_PREFIX: system.redisKeyPrefix,
    CLIENT_REGISTRY_ADDRESS: system.registryAddress,
    CLIENT_REGISTRY_PLAINTEXT: 'true',
  },
});
// Health, not the "listening" line: that line is not printed at every PROFILE_LOG_LEVEL.
await waitForHttp(`http://127.0.0.1:${tokenHealthPort}/healthz`);
const edge = startNodeProcess({
  cwd: join(repoRoot, 'services', 'local-edge'),
  args: [...profile('/tmp/prof-edge'), '--import', '@psd2/telemetry/register', 'dist/main.js'],
  env: {
    OTEL_SDK_DISABLED: 'true',
    EDGE_PORT: String(edgePort),
    EDGE_HEALTH_PORT: String(await freePort()),
    EDGE_INTERNAL_PORT: String(await freePort()),
    EDGE_TLS_CERT_FILE: system.pki.server.cert,
    EDGE_TLS_KEY_FILE: system.pki.server.key,
    EDGE_CLIENT_CA_FILE: system.pki.clientCaBundle,
    UPSTREAM_TLS_CERT_FILE: internal.edge.cert,
    UPSTREAM_TLS_KEY_FILE: internal.edge.key,
    UPSTREAM_CA_FILE: internal.ca.cert,
    TOKEN_UPSTREAM: `https://127.0.0.1:${tokenPort}`,
  },
});
await edge.waitForOutput('local edge listening');
// As in token-bench: the processes under test on CPU 0, this load generator on CPU 1.
for (const pid of [token.child.pid, edge.child.pid, ...Object.values(system.processIds())]) {
  if (pid !== undefined) pin(pid, 0);
}
pin(process.pid, 1);

const pem = readFileSync(system.pki.qwacs['psp-pi'].cert, 'utf8');
const body = () =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: pisp.clientId,
    scope: 'pisp',
  }).toString();
const direct = xfccAgent(pem, 32, {
  cert: readFileSync(internal.edge.cert),
  key: readFileSync(internal.edge.key),
  ca: readFileSync(internal.ca.cert),
});
const viaEdge = new Agent({
  connections: 32,
  connect: {
    ca: readFileSync(system.pki.ca.cert),
    cert: pem,
    key: readFileSync(system.pki.qwacs['psp-pi'].key),
  },
});
const seconds = Number(process.env.PROFILE_SECONDS ?? 4) * 1000;
const directTarget = {
  name: 'direct',
  agent: direct,
  origin: `https://127.0.0.1:${tokenPort}`,
  path: '/oauth2/token',
  body,
};
const paths = (process.env.PROFILE_PATHS ?? 'direct,edge').split(',');
if (paths.includes('direct')) {
  await maxThroughput(directTarget, { connections: 32, durationMs: 1000 });
  console.log(
    'token service alone',
    await maxThroughput(directTarget, { connections: 32, durationMs: seconds }),
  );
}
if (paths.includes('edge')) {
  const edgeTarget = { ...directTarget, agent: viaEdge, origin: `https://localhost:${edgePort}` };
  await maxThroughput(edgeTarget, { connections: 32, durationMs: 1000 });
  console.log('through the edge', await maxThroughput(edgeTarget, { connections: 32, durationMs: seconds }));
}
await viaEdge.close();
await edge.stop();
await token.stop();
if (extraNodeArgs.length > 0) {
  writeFileSync('/tmp/prof-token.log', token.output());
  writeFileSync('/tmp/prof-edge.log', edge.output());
}
await system.stop();
