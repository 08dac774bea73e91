import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { Agent } from 'undici';
import { type LoadTarget, maxThroughput, median } from './load.js';

/*
 * Instrumentation overhead (issue 10): client_credentials requests per second through the local
 * edge, telemetry on (10 % parent-based sampler, OTLP/HTTP protobuf to a receiver in this process
 * that acknowledges everything) against OTEL_SDK_DISABLED=true.
 *
 * Both systems run at once and are measured in short alternating slices, the order flipping every
 * round, so that load from anything else on a shared machine falls on both alike; the figure is the
 * median of the per-round ratios. Loopback only; bounded: ROUNDS x 2 x SECONDS plus start-up.
 *
 * Settings: OVERHEAD_ROUNDS (10), OVERHEAD_SECONDS per slice (2), OVERHEAD_CONNECTIONS (16),
 * OVERHEAD_SAMPLER_ARG (0.1).
 */

const settings = {
  rounds: Number(process.env.OVERHEAD_ROUNDS ?? 10),
  durationMs: Number(process.env.OVERHEAD_SECONDS ?? 2) * 1000,
  connections: Number(process.env.OVERHEAD_CONNECTIONS ?? 16),
  samplerArg: process.env.OVERHEAD_SAMPLER_ARG ?? '0.1',
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Services on CPU 0, this load generator on CPU 1, as `pnpm bench` does; skipped without taskset. */
function pin(pid: number, cpu: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // Unpinned: the figures are noisier, not wrong.
  }
}

async function startReceiver() {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ exports, bytes }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function target(system: RunningSystem, name: string): Promise<{ target: LoadTarget; agent: Agent }> {
  const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  const client = await registerTestClient(registry, system.pki, 'psp-pi', {
    scope: 'pisp',
    grantTypes: ['client_credentials'],
  });
  registry.close();
  const agent = new Agent({
    connections: settings.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: {
      ca: readFileSync(system.pki.ca.cert),
      cert: readFileSync(system.pki.qwacs['psp-pi'].cert),
      key: readFileSync(system.pki.qwacs['psp-pi'].key),
    },
  });
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: client.clientId,
    scope: 'pisp',
  }).toString();
  return { agent, target: { name, agent, origin: system.edgeUrl, path: '/oauth2/token', body: () => body } };
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const receiver = await startReceiver();
  log(
    `tracing overhead: ${settings.rounds} rounds x 2 x ${settings.durationMs / 1000} s, ${settings.connections} connections, sampler parentbased_traceidratio ${settings.samplerArg}`,
  );
  const systems: RunningSystem[] = [];
  try {
    const off = await startSystem({ label: 'overhead-off', commonEnv: { OTEL_SDK_DISABLED: 'true' } });
    systems.push(off);
    const on = await startSystem({
      label: 'overhead-on',
      commonEnv: {
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: settings.samplerArg,
        // Experiments: extra settings for the traced system only, e.g. '{"OTEL_METRICS_EXPORTER":"none"}'.
        ...(JSON.parse(process.env.OVERHEAD_ON_ENV ?? '{}') as Record<string, string>),
      },
      // Per process, e.g. '{"local-edge":{"OTEL_SDK_DISABLED":"true"}}'.
      env: JSON.parse(process.env.OVERHEAD_ON_PROCESS_ENV ?? '{}') as Record<string, Record<string, string>>,
    });
    systems.push(on);
    for (const system of systems) for (const pid of Object.values(system.processIds())) pin(pid, 0);

    const targets = { off: await target(off, 'tracing off'), on: await target(on, 'tracing on') };
    for (const { target: t } of Object.values(targets)) {
      await maxThroughput(t, { connections: settings.connections, durationMs: 2000 });
    }
    const rates = { on: [] as number[], off: [] as number[] };
    const ratios: number[] = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      const order: Array<'on' | 'off'> = round % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
      const measured: Partial<Record<'on' | 'off', number>> = {};
      for (const mode of order) {
        const result = await maxThroughput(targets[mode].target, {
          connections: settings.connections,
          durationMs: settings.durationMs,
        });
        if (result.errors > 0) throw new Error(`${mode}: ${result.errors} errors`);
        measured[mode] = result.requestsPerSecond;
        rates[mode].push(result.requestsPerSecond);
      }
      const ratio = (measured.on ?? 0) / (measured.off ?? Number.NaN);
      ratios.push(ratio);
      log(
        `round ${String(round + 1).padStart(2)}: off ${measured.off?.toFixed(0).padStart(5)} req/s, on ${measured.on?.toFixed(0).padStart(5)} req/s, on/off ${ratio.toFixed(3)}`,
      );
    }
    const overhead = (1 - median(ratios)) * 100;
    log(
      `median: off ${median(rates.off).toFixed(0)} req/s, on ${median(rates.on).toFixed(0)} req/s; ` +
        `median on/off ratio ${median(ratios).toFixed(3)} = ${overhead.toFixed(1)} % fewer requests per second with telemetry on`,
    );
    const { exports, bytes } = receiver.stats();
    log(`receiver: ${exports} OTLP exports, ${(bytes / 1024).toFixed(0)} KiB`);
    for (const { agent } of Object.values(targets)) await agent.close();
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
    await receiver.close();
  }
}

await main();
