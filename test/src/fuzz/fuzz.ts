import { connectPaymentConsentApi } from '@psd2/payment-consent-proto';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { allEndpoints, type FuzzEndpoint, selectEndpoints } from './endpoints/index.js';
import { checkInvariants, type InvariantReport } from './invariants.js';
import { LiveState, MINT_PSUS } from './live-state.js';
import { type EndpointReport, type FailureExample, runEndpoint } from './runner.js';
import { createTransport, type Transport } from './transport.js';

/*
 * One fuzz run: the whole system started as processes (registry on PostgreSQL, four services on
 * Redis, the local mTLS edge), live clients and consents made through the edge, every selected
 * endpoint fuzzed in turn, then the stored state checked. Shared by `pnpm fuzz` and the test.
 */

export interface FuzzSettings {
  readonly seed: number;
  readonly runsPerEndpoint: number;
  /** Comma-separated endpoint names; empty for all. */
  readonly endpoints?: string;
  readonly concurrency: number;
  readonly label: string;
  readonly log: (line: string) => void;
}

export interface FuzzResult {
  readonly reports: EndpointReport[];
  readonly invariants: InvariantReport;
  /** Log lines of the services mentioning a server error, for the failures' causes. */
  readonly serverErrors: string[];
}

/**
 * Limits set generously for the fuzz, so that most requests get past them to deeper code: one
 * 100 000 registrations a second, the largest client cap, one-second PSU locks. The
 * rate limiters and locks are themselves tested elsewhere.
 */
export const FUZZ_ENVIRONMENT = {
  registration: {
    REGISTRATION_RATE_LIMIT: '100000',
    REGISTRATION_RATE_WINDOW_SECONDS: '1',
    MAX_CLIENTS_PER_ORGANISATION: '100',
  },
  authorization: {
    PSU_LOCK_SECONDS: '1',
    // Page loads reach the session code, not the per-address flood limit (tested in bank-limits.test.ts);
    // anonymous sessions then live a minute, so that the fuzz's page loads do not pile up in Redis.
    RATE_LIMIT_SESSIONS_PER_ADDRESS: '1000000',
    SESSION_ANONYMOUS_SECONDS: '60',
    // Sign-in and code posts past the per-address throttle: 20 a second, half of what two scrypt
    // checks at once can verify; beyond, the 429 page. The scrypt gate's own 503 (queue full or
    // waited too long) is overload protection with its tests; the fuzz keeps out of its reach.
    RATE_LIMIT_SIGNIN_PER_ADDRESS: '1200',
    PASSWORD_CHECK_QUEUE_TIMEOUT_MS: '10000',
    // Pushed requests reach the checks of the request and its payment details, not the TPP's quota.
    RATE_LIMIT_PAR_PER_ORGANISATION: '1000000',
    SANDBOX_PSUS: [
      'psu-alice:Alice',
      'psu-bruno:Bruno',
      'psu-chloe:Chloé',
      ...MINT_PSUS.map((id) => `${id}:Mint`),
    ].join(','),
  },
  // Info for the gRPC services only: their start-up lines are what the system waits for.
  'client-registry': { LOG_LEVEL: 'info' },
  'payment-consent': { LOG_LEVEL: 'info' },
} as const;

export interface FuzzSystem {
  readonly system: RunningSystem;
  readonly transport: Transport;
  readonly live: LiveState;
  endpoints(names?: string): FuzzEndpoint[];
  /** Log lines of the services at error level: the causes of the failures found. */
  serverErrors(): string[];
  checkInvariants(): Promise<InvariantReport>;
  stop(): Promise<void>;
}

const PROCESSES = [
  'registration',
  'authorization',
  'token',
  'revocation',
  'client-registry',
  'payment-consent',
  'local-edge',
] as const;

export async function startFuzzSystem(label: string): Promise<FuzzSystem> {
  const system = await startSystem({ label, env: FUZZ_ENVIRONMENT, commonEnv: { LOG_LEVEL: 'warn' } });
  const transport = createTransport(system);
  // The bank's payment API registers payment requests over the internal gRPC API, never the edge.
  const paymentApi = connectPaymentConsentApi(system.paymentConsentAddress);
  const live = new LiveState(transport, paymentApi);
  try {
    await live.setUp();
  } catch (error) {
    paymentApi.close();
    await transport.close();
    await system.stop();
    throw error;
  }
  return {
    system,
    transport,
    live,
    endpoints: (names) => selectEndpoints(allEndpoints(system.pki), names),
    serverErrors: () =>
      PROCESSES.flatMap((name) =>
        system
          .output(name)
          .split('\n')
          .filter((line) => /"level":(?:50|60|"error"|"fatal")/.test(line))
          .map((line) => `${name}: ${line.slice(0, 1500)}`),
      ),
    async checkInvariants() {
      await live.tearDown();
      return checkInvariants({
        databaseUrl: system.database.url,
        redisUrl: system.redisUrl,
        redisKeyPrefix: system.redisKeyPrefix,
      });
    },
    async stop() {
      paymentApi.close();
      await transport.close();
      await system.stop();
    },
  };
}

/** Chunks of a tenth of the run (between 100 and 2000): the live state is refilled between them. */
export const chunkSizeFor = (runs: number) => Math.min(2000, Math.max(100, Math.ceil(runs / 10)));

export async function runFuzz(settings: FuzzSettings): Promise<FuzzResult> {
  const fuzz = await startFuzzSystem(settings.label);
  try {
    const reports: EndpointReport[] = [];
    // The processes' output is a bounded window: gather error lines after each endpoint.
    const serverErrors = new Set<string>();
    for (const endpoint of fuzz.endpoints(settings.endpoints)) {
      const report = await runEndpoint(endpoint, fuzz.live, fuzz.transport, {
        seed: settings.seed,
        runs: settings.runsPerEndpoint,
        concurrency: settings.concurrency,
        chunkSize: chunkSizeFor(settings.runsPerEndpoint),
        onFailure: (example) => settings.log(describeFailure(example)),
      });
      settings.log(describeReport(report));
      reports.push(report);
      for (const line of fuzz.serverErrors()) serverErrors.add(line);
    }
    const invariants = await fuzz.checkInvariants();
    return { reports, invariants, serverErrors: [...serverErrors] };
  } finally {
    await fuzz.stop();
  }
}

export function describeFailure(example: FailureExample): string {
  return [
    `FAILURE ${example.failure} at ${example.endpoint} (chunk ${example.chunk}, request ${example.index}): ${example.detail}`,
    `  certificate: ${example.certificate}`,
    `  request: ${example.request.method} ${example.request.target}`,
    `  headers: ${JSON.stringify(example.request.headers)}`,
    `  body: ${JSON.stringify(example.request.body)}`,
    `  response: ${example.response.status} ${JSON.stringify(example.response.body)}`,
  ].join('\n');
}

export function describeReport(report: EndpointReport): string {
  const rate = report.requests / Math.max(0.001, report.milliseconds / 1000);
  const statuses = Object.entries(report.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
  const failed = report.failures.reduce((sum, example) => sum + example.count, 0);
  return `${report.endpoint.padEnd(18)} ${String(report.requests).padStart(7)} requests ${rate.toFixed(0).padStart(5)}/s  ${statuses}${failed > 0 ? `  FAILED ${failed} (${report.failures.length} distinct)` : ''}`;
}
