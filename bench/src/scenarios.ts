import type { Redis } from 'ioredis';
import type { Agent } from 'undici';
import { log, settings } from './bench-settings.js';
import { measureCpu } from './cpu.js';
import { fixedRate, type LatencyResult, type LoadTarget, maxThroughput, median } from './load.js';
import { accountRedis, describeCost, type RedisCostPerOperation } from './redis-accounting.js';
import type { Agents, Server } from './servers.js';

/** How long the run that counts Redis's work per request lasts: the per-request figures settle fast. */
const ACCOUNTING_MS = 3000;

/*
 * What is measured: per path, client_credentials issuance and introspection on every server, in
 * trials that interleave the servers so that drift on a shared machine affects both alike.
 */

type Target = LoadTarget & { processes: Server['processes'] };

export interface Scenario {
  readonly name: string;
  readonly part: 'issuance' | 'introspection';
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
    if (settings.runs('issuance'))
      scenarios.push({
        name: `client_credentials issuance, ${where}`,
        part: 'issuance',
        targets: onPath.map((server) => tokenTarget(server, agents)),
      });
    if (settings.runs('introspection'))
      scenarios.push({
        name: `introspection, ${where}`,
        part: 'introspection',
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

/**
 * Redis's cost per request of our server in a scenario (the first path's), from a closed-loop run of
 * its own: the commands, bytes and Redis CPU the counters moved by, divided by the answers.
 */
export async function accountScenario(
  scenario: Scenario,
  redis: Redis,
): Promise<RedisCostPerOperation | undefined> {
  const ours = scenario.targets.find((target) => target.name === 'ours');
  if (ours === undefined) return undefined;
  const cost = await accountRedis(redis, async () => {
    const run = await maxThroughput(ours, { connections: settings.connections, durationMs: ACCOUNTING_MS });
    return run.completed;
  });
  log(describeCost(cost));
  return cost;
}

/** The maximum rate of refreshes, the CPU per refresh of each process, and Redis's cost per refresh. */
export async function accountRefresh(
  refresh: LoadTarget,
  processes: Server['processes'],
  redis: Redis,
): Promise<RedisCostPerOperation> {
  await maxThroughput(refresh, { connections: settings.connections, durationMs: 1500 });
  let served = 0;
  let rate = 0;
  const { result: cost, cpu } = await measureCpu(processes, () =>
    accountRedis(redis, async () => {
      const run = await maxThroughput(refresh, {
        connections: settings.connections,
        durationMs: ACCOUNTING_MS,
      });
      served = run.completed;
      rate = run.requestsPerSecond;
      return run.completed;
    }),
  );
  const cpuPerRequest = Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${((seconds * 1e6) / Math.max(1, served)).toFixed(0)}`)
    .join(', ');
  log(`max ${rate.toFixed(0)} req/s | CPU µs/request at max: ${cpuPerRequest}`);
  log(describeCost(cost));
  return cost;
}
