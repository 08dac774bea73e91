import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import {
  CODE_FLOW_STEPS,
  type CodeFlowParties,
  type CodeFlowRequest,
  type CodeFlowStep,
  documentationAddress,
  type RunningSystem,
  runCodeFlow,
} from '@psd2/testing';
import { Agent } from 'undici';
import { log, settings } from './bench-settings.js';
import { measureCpu } from './cpu.js';
import { type LoadTarget, median, percentile } from './load.js';

/*
 * The full authorization code flow through the edge (sandbox page, consent, code exchange with PKCE,
 * introspection), N flows at a time in a closed loop: flows per second, and p50/p99 of the whole flow
 * and of each step. The PSU's browser opens TLS without a certificate, the TPP presents the demo AISP
 * QWAC, the bank's API the demo PSP_AS one, all over keep-alive connections.
 */

/** The sandbox PSUs the page offers by default (services/authorization SANDBOX_PSUS). */
const SANDBOX_PSUS = ['psu-alice', 'psu-bruno', 'psu-chloe'] as const;

/** Where the bank's API introspects: the edge's internal listener (docs/edge.md), not the public one. */
export function introspectionOrigin(system: RunningSystem): string {
  return system.internalEdgeUrl;
}

export interface CodeFlowBench {
  readonly parties: CodeFlowParties & { readonly tpp: Agent };
  readonly clientId: string;
  /** The processes doing the flow's work, for CPU time per flow. */
  readonly processes: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export async function prepareCodeFlowBench(
  system: RunningSystem,
  registry: ClientRegistry,
): Promise<CodeFlowBench> {
  const client = await registerTestClient(registry, system.pki, 'psp-ai', {
    scope: 'aisp',
    grantTypes: ['authorization_code', 'refresh_token'],
  });
  const ca = readFileSync(system.pki.ca.cert);
  const agentFor = (qwac: DemoQwacName | undefined) =>
    new Agent({
      connections: settings.flowConcurrency,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      connect: {
        ca,
        ...(qwac === undefined
          ? {}
          : {
              cert: readFileSync(system.pki.qwacs[qwac].cert),
              key: readFileSync(system.pki.qwacs[qwac].key),
            }),
      },
    });
  const agents = { browser: agentFor(undefined), tpp: agentFor('psp-ai'), bank: agentFor('psp-as') };
  const ids = system.processIds();
  const processes = Object.fromEntries(
    ['local-edge', 'authorization', 'token', 'client-registry'].flatMap((name) =>
      ids[name] === undefined ? [] : [[name, ids[name]]],
    ),
  );
  return {
    parties: { origin: system.edgeUrl, introspectionOrigin: introspectionOrigin(system), ...agents },
    clientId: client.clientId,
    processes,
    close: async () => {
      await Promise.all(Object.values(agents).map((agent) => agent.close()));
    },
  };
}

export interface FlowRun {
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly flowsPerSecond: number;
  /** Sorted durations, milliseconds: the whole flow and each step. */
  readonly flowMs: readonly number[];
  readonly stepMs: Readonly<Record<CodeFlowStep, readonly number[]>>;
}

let flowsStarted = 0;

/** The next flow's request: a sandbox PSU in turn, and a customer address of its own. */
function nextFlow(bench: CodeFlowBench): CodeFlowRequest {
  const index = flowsStarted++;
  return {
    clientId: bench.clientId,
    redirectUri: TEST_REDIRECT_URI,
    scope: 'aisp',
    psuId: SANDBOX_PSUS[index % SANDBOX_PSUS.length] ?? 'psu-alice',
    browserAddress: documentationAddress(index),
  };
}

/**
 * Refreshes (RFC 6749 §6) of one grant from a flow, as the TPP sends them: the refresh token is not
 * rotated by default, so every request presents the same one. The grant's last use is recorded at most
 * once a minute (GRANT_USE_INTERVAL_SECONDS), so a real TPP's refresh, hours apart, costs that one
 * script more than this loop's average.
 */
export async function refreshTarget(bench: CodeFlowBench): Promise<LoadTarget> {
  const { refreshToken } = await runCodeFlow(bench.parties, nextFlow(bench));
  if (refreshToken === undefined) throw new Error('the code exchange returned no refresh token');
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: bench.clientId,
  }).toString();
  return {
    name: 'ours',
    agent: bench.parties.tpp,
    origin: bench.parties.origin,
    path: '/oauth2/token',
    body: () => body,
  };
}

/** `concurrency` flows at a time, each starting as soon as the previous one of its worker ended. */
export async function runFlows(
  bench: CodeFlowBench,
  durationMs: number,
  concurrency: number,
): Promise<FlowRun> {
  const flowMs: number[] = [];
  const stepMs = Object.fromEntries(CODE_FLOW_STEPS.map((step) => [step, [] as number[]])) as Record<
    CodeFlowStep,
    number[]
  >;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const flowStarted = performance.now();
      try {
        const { timings } = await runCodeFlow(bench.parties, nextFlow(bench));
        flowMs.push(performance.now() - flowStarted);
        for (const step of CODE_FLOW_STEPS) stepMs[step].push(timings[step]);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const sort = (values: number[]) => values.sort((a, b) => a - b);
  for (const step of CODE_FLOW_STEPS) sort(stepMs[step]);
  return {
    completed: flowMs.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    flowsPerSecond: flowMs.length / elapsed,
    flowMs: sort(flowMs),
    stepMs,
  };
}

const quantiles = (sorted: readonly number[]) =>
  `p50 ${percentile(sorted, 0.5).toFixed(1)} / p99 ${percentile(sorted, 0.99).toFixed(1)} ms`;

/** The trials: flows per second, latency of the flow and its steps, CPU per flow of each process. */
export async function runCodeFlowTrials(bench: CodeFlowBench): Promise<void> {
  log(
    `\n== full authorization code flow through the local mTLS edge, ${settings.flowConcurrency} concurrent flows`,
  );
  await runFlows(bench, 1500, settings.flowConcurrency);
  const rates: number[] = [];
  const p99s: number[] = [];
  for (let trial = 0; trial < settings.trials; trial += 1) {
    const { result: run, cpu } = await measureCpu(bench.processes, () =>
      runFlows(bench, settings.durationMs, settings.flowConcurrency),
    );
    rates.push(run.flowsPerSecond);
    p99s.push(percentile(run.flowMs, 0.99));
    const cpuPerFlow = Object.entries(cpu)
      .map(([name, seconds]) => `${name} ${((seconds * 1e6) / Math.max(1, run.completed)).toFixed(0)}`)
      .join(', ');
    const steps = CODE_FLOW_STEPS.map((step) => `${step} ${quantiles(run.stepMs[step])}`).join('; ');
    log(
      `trial ${trial + 1}: ${run.flowsPerSecond.toFixed(1)} flows/s (errors ${run.errors}${run.firstError ? `: ${run.firstError}` : ''})` +
        ` | flow ${quantiles(run.flowMs)} | ${steps} | CPU µs/flow: ${cpuPerFlow}`,
    );
  }
  log(`median ${median(rates).toFixed(1)} flows/s | flow p99 ${median(p99s).toFixed(1)} ms (closed loop)`);
}
