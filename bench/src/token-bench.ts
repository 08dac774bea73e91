import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import { freePort, repoRoot, type StartedProcess, startNodeProcess, startSystem } from '@psd2/testing';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { xfccAgent } from './agents.js';
import { measureCpu } from './cpu.js';
import { fixedRate, type LatencyResult, type LoadTarget, maxThroughput, median } from './load.js';
import { pin } from './pin.js';
import { deleteByPrefix, measureRedisMemoryPerToken } from './redis-memory.js';

/*
 * `pnpm bench`: our token endpoint and introspection against node-oidc-provider, each behind the same
 * local mTLS edge, with real Redis and keep-alive mTLS connections presenting the demo PISP (and bank)
 * QWACs. The systems under test run on CPU 0, this load generator on CPU 1. Trials interleave the two
 * servers so that drift on a shared machine affects both alike; the medians are printed.
 *
 * Settings (environment): BENCH_TRIALS (5), BENCH_SECONDS per measurement (5), BENCH_WARMUP_SECONDS
 * before each latency measurement (2), BENCH_CONNECTIONS (32),
 * BENCH_TOKENS for the memory figure (1000000), BENCH_SKIP_OIDC, BENCH_SKIP_MEMORY,
 * BENCH_OTEL=on (tracing on, sampler from OTEL_TRACES_SAMPLER/OTEL_TRACES_SAMPLER_ARG, exported to
 * OTEL_EXPORTER_OTLP_ENDPOINT) to measure instrumentation overhead.
 */

const settings = {
  /** `edge` (as specified: the same local edge in front of both), `direct` (services alone), or `both`. */
  paths: (process.env.BENCH_PATHS ?? 'both')
    .split(',')
    .flatMap((path) => (path === 'both' ? ['edge', 'direct'] : [path])),
  trials: Number(process.env.BENCH_TRIALS ?? 5),
  durationMs: Number(process.env.BENCH_SECONDS ?? 5) * 1000,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  /** Unmeasured seconds at the fixed rate before latency is recorded. */
  warmupMs: Number(process.env.BENCH_WARMUP_SECONDS ?? 2) * 1000,
  tokens: Number(process.env.BENCH_TOKENS ?? 1_000_000),
  /** An empty logical Redis database for the memory figure. */
  redisDb: Number(process.env.BENCH_REDIS_DB ?? 13),
  skipOidc: process.env.BENCH_SKIP_OIDC === '1' || process.env.BENCH_SKIP_OIDC === 'true',
  skipMemory: process.env.BENCH_SKIP_MEMORY === '1' || process.env.BENCH_SKIP_MEMORY === 'true',
  otel: process.env.BENCH_OTEL === 'on',
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  log(
    `bench: ${settings.trials} trials x ${settings.durationMs / 1000} s (latency after ${settings.warmupMs / 1000} s of warm-up), ${settings.connections} connections, tracing ${settings.otel ? 'on' : 'off'}`,
  );

  const otelEnv = settings.otel
    ? {
        OTEL_SDK_DISABLED: 'false',
        OTEL_TRACES_SAMPLER: process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG ?? '0.1',
        ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }
          : {}),
      }
    : { OTEL_SDK_DISABLED: 'true' };
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
    const directAgentFor = (qwac: DemoQwacName) =>
      xfccAgent(readFileSync(system.pki.qwacs[qwac].cert, 'utf8'), settings.connections);
    const agents = {
      edge: { pisp: agentFor('psp-pi'), bank: agentFor('psp-as') },
      direct: { pisp: directAgentFor('psp-pi'), bank: directAgentFor('psp-as') },
    };

    interface Server {
      readonly name: string;
      readonly path: 'edge' | 'direct';
      readonly origin: string;
      readonly clientId: string;
      readonly bankClientId?: string;
      /** The processes doing its work, for CPU time per request. */
      readonly processes: Readonly<Record<string, number>>;
    }
    const ids = system.processIds();
    const pidsOf = (names: readonly string[]): Record<string, number> =>
      Object.fromEntries(names.flatMap((name) => (ids[name] === undefined ? [] : [[name, ids[name]]])));
    const servers: Server[] = [];
    if (settings.paths.includes('edge'))
      servers.push({
        name: 'ours',
        path: 'edge',
        origin: system.edgeUrl,
        clientId: pisp.clientId,
        processes: pidsOf(['local-edge', 'token', 'client-registry']),
      });
    if (settings.paths.includes('direct')) {
      servers.push({
        name: 'ours',
        path: 'direct',
        origin: system.serviceUrl('token'),
        clientId: pisp.clientId,
        processes: pidsOf(['token', 'client-registry']),
      });
    }

    if (!settings.skipOidc) {
      const oidcPort = await freePort();
      const edgePort = await freePort();
      const edgeHealthPort = await freePort();
      const issuer = `https://localhost:${edgePort}`;
      const subjectOf = (qwac: DemoQwacName) =>
        new X509Certificate(readFileSync(system.pki.qwacs[qwac].cert)).subject;
      const oidc = startNodeProcess({
        cwd: join(repoRoot, 'bench'),
        args: ['dist/oidc-provider-main.js'],
        env: {
          PORT: String(oidcPort),
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
      extra.push(oidc);
      await oidc.waitForOutput('oidc-provider listening');
      const edge = startNodeProcess({
        cwd: join(repoRoot, 'services', 'local-edge'),
        args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
        env: {
          ...otelEnv,
          EDGE_PORT: String(edgePort),
          EDGE_HEALTH_PORT: String(edgeHealthPort),
          EDGE_TLS_CERT_FILE: system.pki.server.cert,
          EDGE_TLS_KEY_FILE: system.pki.server.key,
          EDGE_CLIENT_CA_FILE: system.pki.clientCaBundle,
          ISSUER: issuer,
          TOKEN_UPSTREAM: `http://127.0.0.1:${oidcPort}`,
        },
      });
      extra.push(edge);
      await edge.waitForOutput('local edge listening');
      if (settings.paths.includes('edge')) {
        servers.push({
          name: 'node-oidc-provider',
          path: 'edge',
          origin: issuer,
          clientId: 'oidc-pisp',
          bankClientId: 'oidc-bank',
          processes: { 'local-edge': edge.child.pid ?? 0, 'node-oidc-provider': oidc.child.pid ?? 0 },
        });
      }
      if (settings.paths.includes('direct')) {
        servers.push({
          name: 'node-oidc-provider',
          path: 'direct',
          origin: `http://127.0.0.1:${oidcPort}`,
          clientId: 'oidc-pisp',
          bankClientId: 'oidc-bank',
          processes: { 'node-oidc-provider': oidc.child.pid ?? 0 },
        });
      }
      if (oidc.child.pid !== undefined) pin(oidc.child.pid, 0);
      if (edge.child.pid !== undefined) pin(edge.child.pid, 0);
    }
    for (const pid of Object.values(system.processIds())) pin(pid, 0);

    const issueBody = (clientId: string) => () =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'pisp',
      }).toString();
    const tokenTarget = (server: Server): LoadTarget & { processes: Server['processes'] } => ({
      name: server.name,
      processes: server.processes,
      agent: agents[server.path].pisp,
      origin: server.origin,
      path: '/oauth2/token',
      body: issueBody(server.clientId),
    });

    /** Tokens to introspect, issued once per server; introspection cycles through them. */
    async function introspectionTarget(
      server: Server,
    ): Promise<LoadTarget & { processes: Server['processes'] }> {
      const tokens: string[] = [];
      for (let index = 0; index < 200; index += 1) {
        const response = await agents[server.path].pisp.request({
          origin: server.origin,
          path: '/oauth2/token',
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: issueBody(server.clientId)(),
        });
        const body = (await response.body.json()) as { access_token?: string };
        if (body.access_token === undefined)
          throw new Error(`${server.name} issued no token: ${JSON.stringify(body)}`);
        tokens.push(body.access_token);
      }
      let next = 0;
      return {
        name: server.name,
        processes: server.processes,
        agent: agents[server.path].bank,
        origin: server.origin,
        path: '/oauth2/introspect',
        body: () => {
          next = (next + 1) % tokens.length;
          const fields: Record<string, string> = { token: tokens[next] ?? '' };
          if (server.bankClientId !== undefined) fields.client_id = server.bankClientId;
          return new URLSearchParams(fields).toString();
        },
      };
    }

    const scenarios = [];
    for (const path of ['edge', 'direct'] as const) {
      const onPath = servers.filter((server) => server.path === path);
      if (onPath.length === 0) continue;
      const where = path === 'edge' ? 'through the local mTLS edge' : 'services alone, no edge';
      scenarios.push({ name: `client_credentials issuance, ${where}`, targets: onPath.map(tokenTarget) });
      scenarios.push({
        name: `introspection, ${where}`,
        targets: await Promise.all(onPath.map(introspectionTarget)),
      });
    }

    for (const scenario of scenarios) {
      log(`\n== ${scenario.name}`);
      for (const target of scenario.targets)
        await maxThroughput(target, { connections: settings.connections, durationMs: 1500 });
      const rates = new Map<string, number[]>();
      const latencies = new Map<string, LatencyResult[]>();
      for (let trial = 0; trial < settings.trials; trial += 1) {
        // Alternate who goes first, so that neither always runs on a warmer (or busier) machine.
        const order = trial % 2 === 0 ? scenario.targets : [...scenario.targets].reverse();
        for (const target of order) {
          const { result: max, cpu } = await measureCpu(target.processes, () =>
            maxThroughput(target, { connections: settings.connections, durationMs: settings.durationMs }),
          );
          const served = (max.requestsPerSecond * settings.durationMs) / 1000;
          const cpuPerRequest = Object.entries(cpu)
            .map(([name, seconds]) => `${name} ${((seconds * 1e6) / Math.max(1, served)).toFixed(0)}`)
            .join(', ');
          const latency = await fixedRate(target, {
            requestsPerSecond: Math.max(1, Math.round(max.requestsPerSecond * 0.7)),
            durationMs: settings.durationMs,
            warmupMs: settings.warmupMs,
          });
          rates.set(target.name, [...(rates.get(target.name) ?? []), max.requestsPerSecond]);
          latencies.set(target.name, [...(latencies.get(target.name) ?? []), latency]);
          log(
            `trial ${trial + 1} ${target.name.padEnd(20)} max ${max.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
              ` (errors ${max.errors}) | at ${latency.targetRate} req/s: p50 ${latency.p50Ms.toFixed(2)} ms,` +
              ` p99 ${latency.p99Ms.toFixed(2)} ms (achieved ${latency.achievedRate.toFixed(0)}, errors ${latency.errors})` +
              ` | CPU µs/request at max: ${cpuPerRequest}`,
          );
        }
      }
      for (const [name, values] of rates) {
        const results = latencies.get(name) ?? [];
        log(
          `median ${name.padEnd(20)} ${median(values).toFixed(0).padStart(6)} req/s | p50 ${median(results.map((r) => r.p50Ms)).toFixed(2)} ms` +
            ` | p99 ${median(results.map((r) => r.p99Ms)).toFixed(2)} ms at 70% of max`,
        );
      }
      const ours = rates.get('ours');
      const theirs = rates.get('node-oidc-provider');
      if (ours && theirs) {
        const ratios = ours.map((value, index) => value / (theirs[index] ?? Number.NaN));
        log(`ratio ours / node-oidc-provider (median of per-trial ratios): ${median(ratios).toFixed(2)}x`);
      }
    }

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
