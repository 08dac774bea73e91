import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import { freePort, repoRoot, startNodeProcess, startSystem } from '@psd2/testing';
import { Agent } from 'undici';
import { xfccAgent } from './agents.js';
import { maxThroughput } from './load.js';

/*
 * `node bench/dist/profile-direct.js`: where the token path spends its time. Starts a token service and
 * a local edge of its own (with --cpu-prof when PROFILE=1, profiles in /tmp/prof-token and
 * /tmp/prof-edge) beside a running system, then measures the token service alone (XFCC sent from
 * loopback, no TLS) and through the edge.
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
const edgePort = await freePort();
const profile = (dir: string) => (profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);
const token = startNodeProcess({
  cwd: join(repoRoot, 'services', 'token'),
  args: [...profile('/tmp/prof-token'), '--import', '@psd2/telemetry/register', 'dist/main.js'],
  env: {
    OTEL_SDK_DISABLED: 'true',
    LOG_LEVEL: process.env.PROFILE_LOG_LEVEL ?? 'info',
    PORT: String(tokenPort),
    ISSUER: system.edgeUrl,
    REDIS_URL: system.redisUrl,
    REDIS_KEY_PREFIX: system.redisKeyPrefix,
    CLIENT_REGISTRY_ADDRESS: system.registryAddress,
    CLIENT_REGISTRY_PLAINTEXT: 'true',
  },
});
await token.waitForOutput('"msg":"listening"');
const edge = startNodeProcess({
  cwd: join(repoRoot, 'services', 'local-edge'),
  args: [...profile('/tmp/prof-edge'), '--import', '@psd2/telemetry/register', 'dist/main.js'],
  env: {
    OTEL_SDK_DISABLED: 'true',
    EDGE_PORT: String(edgePort),
    EDGE_HEALTH_PORT: String(await freePort()),
    EDGE_TLS_CERT_FILE: system.pki.server.cert,
    EDGE_TLS_KEY_FILE: system.pki.server.key,
    EDGE_CLIENT_CA_FILE: system.pki.clientCaBundle,
    TOKEN_UPSTREAM: `http://127.0.0.1:${tokenPort}`,
  },
});
await edge.waitForOutput('local edge listening');

const pem = readFileSync(system.pki.qwacs['psp-pi'].cert, 'utf8');
const body = () =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: pisp.clientId,
    scope: 'pisp',
  }).toString();
const direct = xfccAgent(pem, 32);
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
  origin: `http://127.0.0.1:${tokenPort}`,
  path: '/oauth2/token',
  body,
};
await maxThroughput(directTarget, { connections: 32, durationMs: 1000 });
console.log(
  'token service alone',
  await maxThroughput(directTarget, { connections: 32, durationMs: seconds }),
);
console.log(
  'through the edge',
  await maxThroughput(
    { ...directTarget, agent: viaEdge, origin: `https://localhost:${edgePort}` },
    { connections: 32, durationMs: seconds },
  ),
);
await viaEdge.close();
await edge.stop();
await token.stop();
await system.stop();
