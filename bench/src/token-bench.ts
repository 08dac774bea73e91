import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import { type StartedProcess, startSystem } from '@psd2/testing';
import { Redis } from 'ioredis';
import { log, otelEnv, settings } from './bench-settings.js';
import { pin } from './pin.js';
import { deleteByPrefix, measureRedisMemoryPerToken } from './redis-memory.js';
import { buildScenarios, runScenario } from './scenarios.js';
import { createAgents, ourServers, startOidcServers } from './servers.js';

/*
 * `pnpm bench`: our token endpoint and introspection against node-oidc-provider, each behind the same
 * local mTLS edge, with real Redis and keep-alive mTLS connections presenting the demo PISP (and bank)
 * QWACs. The systems under test run on CPU 0, this load generator on CPU 1. Trials interleave the two
 * servers so that drift on a shared machine affects both alike; the medians are printed. Settings:
 * bench-settings.ts.
 */

async function main(): Promise<void> {
  pin(process.pid, 1);
  log(
    `bench: ${settings.trials} trials x ${settings.durationMs / 1000} s (latency after ${settings.warmupMs / 1000} s of warm-up), ${settings.connections} connections, tracing ${settings.otel ? 'on' : 'off'}`,
  );

  const system = await startSystem({ label: 'bench', commonEnv: otelEnv });
  const extra: StartedProcess[] = [];
  try {
    const registry = createClientRegistry({
      address: system.registryAddress,
      transport: { plaintext: true },
    });
    const pisp = await registerTestClient(registry, system.pki, 'psp-pi', {
      scope: 'pisp',
      grantTypes: ['client_credentials'],
    });
    registry.close();

    const agents = createAgents(system);
    const servers = ourServers(system, pisp.clientId);
    if (!settings.skipOidc) servers.push(...(await startOidcServers(system, extra)));
    for (const pid of Object.values(system.processIds())) pin(pid, 0);

    for (const scenario of await buildScenarios(servers, agents)) await runScenario(scenario);

    // The load phases' tokens (ours and node-oidc-provider's) are not needed any more.
    const cleaner = new Redis(system.redisUrl);
    await deleteByPrefix(cleaner, system.redisKeyPrefix);
    cleaner.disconnect();

    if (!settings.skipMemory) {
      log('\n== Redis memory per access token');
      const url = new URL(system.redisUrl);
      url.pathname = `/${settings.redisDb}`;
      const memory = await measureRedisMemoryPerToken({
        url: url.href,
        keyPrefix: 'psd2:',
        tokens: settings.tokens,
      });
      log(
        `${memory.tokens} pisp access tokens (key prefix psd2:, Redis database ${settings.redisDb}): used_memory` +
          ` +${(memory.deltaBytes / 1024 / 1024).toFixed(1)} MiB = ${memory.bytesPerToken.toFixed(1)} bytes per token` +
          ` (${((memory.bytesPerToken * 1e6) / 1024 / 1024).toFixed(0)} MiB per million)`,
      );
    }
    await Promise.all(Object.values(agents).flatMap((pair) => [pair.pisp.close(), pair.bank.close()]));
  } finally {
    await Promise.all(extra.map((process) => process.stop()));
    await system.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
