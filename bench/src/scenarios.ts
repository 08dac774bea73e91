import type { Agent } from 'undici';
import { log, settings } from './bench-settings.js';
import { measureCpu } from './cpu.js';
import { fixedRate, type LatencyResult, type LoadTarget, maxThroughput, median } from './load.js';
import type { Agents, Server } from './servers.js';

/*
 * What is measured: per path, client_credentials issuance and introspection on every server, in
 * trials that interleave the servers so that drift on a shared machine affects both alike.
 */

type Target = LoadTarget & { processes: Server['processes'] };

export interface Scenario {
  readonly name: string;
  readonly targets: readonly Target[];
}

const issueBody = (clientId: string) => () =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    scope: 'pisp',
  }).toString();

function target(
  server: Server,
  agent: Agent,
  path: string,
  body: () => string,
  origin = server.origin,
): Target {
  return { name: server.name, processes: server.processes, agent, origin, path, body };
}

const tokenTarget = (server: Server, agents: Agents): Target =>
  target(server, agents[server.path].pisp, '/oauth2/token', issueBody(server.clientId));

/** Tokens to introspect, issued once per server; introspection cycles through them. */
async function introspectionTarget(server: Server, agents: Agents): Promise<Target> {
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
  const body = () => {
    next = (next + 1) % tokens.length;
    const fields: Record<string, string> = { token: tokens[next] ?? '' };
    if (server.bankClientId !== undefined) fields.client_id = server.bankClientId;
    return new URLSearchParams(fields).toString();
  };
  // Through the edge, on its internal listener: the public one has no introspection.
  return target(server, agents[server.path].bank, '/oauth2/introspect', body, server.introspectionOrigin);
}

export async function buildScenarios(servers: readonly Server[], agents: Agents): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const path of ['edge', 'direct'] as const) {
    const onPath = servers.filter((server) => server.path === path);
    if (onPath.length === 0) continue;
    const where = path === 'edge' ? 'through the local mTLS edge' : 'services alone, no edge';
    scenarios.push({
      name: `client_credentials issuance, ${where}`,
      targets: onPath.map((server) => tokenTarget(server, agents)),
    });
    scenarios.push({
      name: `introspection, ${where}`,
      targets: await Promise.all(onPath.map((server) => introspectionTarget(server, agents))),
    });
  }
  return scenarios;
}

/** Warms every target up, runs the trials, and prints each trial, the medians and our ratio. */
export async function runScenario(scenario: Scenario): Promise<void> {
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
