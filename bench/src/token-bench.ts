import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import { ownRedisServer, type RunningSystem, type StartedProcess, startSystem } from '@psd2/testing';
import { Redis } from 'ioredis';
import { log, otelEnv, settings } from './bench-settings.js';
import { prepareCodeFlowBench, refreshTarget, runCodeFlowTrials, runFlows } from './code-flow-bench.js';
import { pin } from './pin.js';
import { accountRedis, describeCost, type RedisCostPerOperation } from './redis-accounting.js';
import { deleteByPrefix, measureRedisMemoryPerGrant, measureRedisMemoryPerToken } from './redis-memory.js';
import { logCostSummary, logKeys } from './redis-report.js';
import { accountRefresh, accountScenario, buildScenarios, runScenario } from './scenarios.js';
import { createAgents, ourServers, startOidcServers } from './servers.js';

/*
 * `pnpm bench`: our token endpoint and introspection against node-oidc-provider, each behind the same
 * local mTLS edge, then the full authorization code flow, with a Redis of the bench's own (so that its
 * counters hold only the system's commands) and keep-alive mTLS connections presenting the demo
 * QWACs. The systems under test run on CPU 0, this load generator on CPU 1. Trials interleave the two
 * servers so that drift on a shared machine affects both alike; the medians are printed. Settings:
 * bench-settings.ts.
 */

const MiB = 1024 * 1024;

async function tokenEndpointParts(
  system: RunningSystem,
  redis: Redis,
  extra: StartedProcess[],
  costs: Map<string, RedisCostPerOperation>,
): Promise<void> {
  const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  const pisp = await registerTestClient(registry, system.pki, 'psp-pi', {
    scope: 'pisp',
    grantTypes: ['client_credentials'],
  });
  registry.close();
  const agents = createAgents(system);
  const servers = ourServers(system, pisp.clientId);
  if (!settings.skipOidc) servers.push(...(await startOidcServers(system, extra)));
  for (const pid of Object.values(system.processIds())) pin(pid, 0);
  const accounted = new Set<string>();
  for (const scenario of await buildScenarios(servers, agents)) {
    await runScenario(scenario);
    if (accounted.has(scenario.part)) continue;
    const cost = await accountScenario(scenario, redis);
    if (cost !== undefined) costs.set(scenario.part, cost);
    accounted.add(scenario.part);
  }
  await Promise.all(Object.values(agents).flatMap((pair) => [pair.pisp.close(), pair.bank.close()]));
  // The load phases' tokens (ours and node-oidc-provider's) are not needed any more.
  await deleteByPrefix(redis, system.redisKeyPrefix);
}

async function codeFlowPart(
  system: RunningSystem,
  redis: Redis,
  costs: Map<string, RedisCostPerOperation>,
): Promise<void> {
  const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  const bench = await prepareCodeFlowBench(system, registry);
  registry.close();
  for (const pid of Object.values(system.processIds())) pin(pid, 0);
  try {
    await runCodeFlowTrials(bench);
    const cost = await accountRedis(redis, async () => {
      const run = await runFlows(bench, settings.durationMs, settings.flowConcurrency);
      return run.completed;
    });
    log(describeCost(cost));
    costs.set('code flow (page, consent, exchange, introspection)', cost);
    log('\n== refresh_token grant through the local mTLS edge (one grant, the same refresh token)');
    costs.set('refresh', await accountRefresh(await refreshTarget(bench), bench.processes, redis));
  } finally {
    await bench.close();
  }
  await logKeys(redis, system.redisKeyPrefix);
  await deleteByPrefix(redis, system.redisKeyPrefix);
}

async function memoryPart(redisUrl: string): Promise<void> {
  log('\n== Redis memory per stored item');
  const url = new URL(redisUrl);
  url.pathname = `/${settings.redisDb}`;
  const tokens = await measureRedisMemoryPerToken({
    url: url.href,
    keyPrefix: 'psd2:',
    tokens: settings.tokens,
  });
  log(
    `${tokens.items} pisp access tokens (key prefix psd2:, Redis database ${settings.redisDb}): used_memory` +
      ` +${(tokens.deltaBytes / MiB).toFixed(1)} MiB = ${tokens.bytesPerItem.toFixed(1)} bytes per token` +
      ` (${((tokens.bytesPerItem * 1e6) / MiB).toFixed(0)} MiB per million)`,
  );
  const grants = await measureRedisMemoryPerGrant({
    url: url.href,
    keyPrefix: 'psd2:',
    grants: settings.grants,
  });
  log(
    `${grants.items} code-flow grants (grant, customer index, refresh token, one access token, last use): used_memory` +
      ` +${(grants.deltaBytes / MiB).toFixed(1)} MiB = ${grants.bytesPerItem.toFixed(1)} bytes per grant` +
      ` (${((grants.bytesPerItem * 1e6) / MiB).toFixed(0)} MiB per million)`,
  );
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  log(
    `bench: ${settings.trials} trials x ${settings.durationMs / 1000} s (latency after ${settings.warmupMs / 1000} s of warm-up), ${settings.connections} connections, tracing ${settings.otel ? 'on' : 'off'}`,
  );
  const redisServer = await ownRedisServer();
  // startSystem gives every process REDIS_URL from the environment: the bench's own Redis.
  process.env.REDIS_URL = redisServer.url;
  const extra: StartedProcess[] = [];
  let system: RunningSystem | undefined;
  const redis = new Redis(redisServer.url);
  const costs = new Map<string, RedisCostPerOperation>();
  try {
    system = await startSystem({ label: 'bench', commonEnv: otelEnv });
    if (settings.runs('issuance') || settings.runs('introspection'))
      await tokenEndpointParts(system, redis, extra, costs);
    if (settings.runs('codeflow')) await codeFlowPart(system, redis, costs);
    logCostSummary(costs);
    if (settings.runs('memory')) await memoryPart(redisServer.url);
  } finally {
    redis.disconnect();
    await Promise.all(extra.map((process) => process.stop()));
    await system?.stop();
    await redisServer.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
