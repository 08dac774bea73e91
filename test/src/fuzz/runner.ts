import type { DemoQwacName } from '@psd2/test-pki';
import fc from 'fast-check';
import { checkResponse, type FailureClass, responseKindOf } from './checks.js';
import type { FuzzEndpoint } from './endpoints/index.js';
import type { LiveState } from './live-state.js';
import { type FuzzRequest, toWire, type WireRequest } from './request.js';
import type { Transport, WireResponse } from './transport.js';

/*
 * Runs an endpoint's generated requests against the system, `concurrency` at a time, in chunks: the
 * live state is refilled before each chunk (codes live 60 s). Generation is seeded per endpoint and
 * per chunk, so a seed replays the same requests (the live values they name are new each run).
 */

export interface RunOptions {
  readonly seed: number;
  readonly runs: number;
  readonly concurrency: number;
  readonly chunkSize: number;
  readonly onFailure?: (example: FailureExample) => void;
  readonly onProgress?: (report: EndpointReport) => void;
}

export interface FailureExample {
  readonly endpoint: string;
  readonly failure: FailureClass;
  readonly detail: string;
  /** Where in the run: replays with the same FUZZ_SEED and FUZZ_ENDPOINTS. */
  readonly chunk: number;
  readonly index: number;
  readonly certificate: string;
  readonly request: { method: string; target: string; headers: WireRequest['headers']; body: string };
  readonly response: { status: number; body: string };
  /** How many requests failed the same way. */
  count: number;
}

export interface EndpointReport {
  readonly endpoint: string;
  /** Requests per status; `refused-by-client` for those the HTTP client would not send. */
  readonly statuses: Record<string, number>;
  /** One example per distinct failure. */
  readonly failures: FailureExample[];
  requests: number;
  milliseconds: number;
}

/** A 32-bit seed of its own for each endpoint and chunk, from the run's seed. */
export function derivedSeed(seed: number, endpoint: string, chunk: number): number {
  let hash = seed ^ 0x811c9dc5;
  for (const char of `${endpoint}#${chunk}`) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  return hash | 0;
}

const clip = (text: string, max = 600) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

function clippedHeaders(headers: WireRequest['headers']): WireRequest['headers'] {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map((v) => clip(v, 200)) : clip(value, 200),
    ]),
  );
}

function decodes(target: string): boolean {
  try {
    decodeURIComponent(target.split('?')[0] ?? '');
    return true;
  } catch {
    return false;
  }
}

/**
 * The same bug met twice has the same key: endpoint, class, status, the error's description, and the
 * request traits that have set bugs apart so far (an undecodable path, a content coding).
 */
function failureKey(
  endpoint: string,
  failure: FailureClass,
  wire: WireRequest,
  response: WireResponse | undefined,
): string {
  const described = /"error_description":"([^"]{0,60})/.exec(response?.body ?? '')?.[1] ?? '';
  const traits = `${decodes(wire.target) ? '' : 'undecodable-path '}${wire.headers['content-encoding'] ? 'content-encoding' : ''}`;
  return `${endpoint}|${failure}|${response?.status ?? '-'}|${described}|${traits}`;
}

/** The edge closes the connection of a certificate its CA bundle does not validate (docs/fuzzing.md). */
const REFUSED_AT_TLS: ReadonlySet<DemoQwacName> = new Set(['expired', 'not-yet-valid', 'untrusted']);

/** A connection the server closed after answering (e.g. `Connection: close` on a 413) is not a failure. */
const CONNECTION_CLOSED = new Set(['UND_ERR_CLOSED', 'UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function sendWithRetry(
  transport: Transport,
  certificate: DemoQwacName | undefined,
  wire: WireRequest,
  direct: FuzzRequest['direct'],
): Promise<WireResponse> {
  try {
    return await transport.send(certificate, wire, direct);
  } catch (error) {
    if (!CONNECTION_CLOSED.has((error as { code?: string }).code ?? '')) throw error;
    return transport.send(certificate, wire, direct);
  }
}

export async function runEndpoint(
  endpoint: FuzzEndpoint,
  live: LiveState,
  transport: Transport,
  options: RunOptions,
): Promise<EndpointReport> {
  const report: EndpointReport = {
    endpoint: endpoint.name,
    statuses: {},
    failures: [],
    requests: 0,
    milliseconds: 0,
  };
  const byKey = new Map<string, FailureExample>();
  const started = performance.now();
  const count = (status: string) => {
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
  };

  const sendOne = async (request: FuzzRequest, chunk: number, index: number) => {
    const { owner, values } = live.valuesFor(request.subject);
    const certificate: DemoQwacName | undefined =
      request.certificate === 'owner' ? owner : request.certificate;
    const wire = toWire(request, values);
    let response: WireResponse | undefined;
    let failures: { failure: FailureClass; detail: string }[];
    try {
      response = await sendWithRetry(transport, certificate, wire, request.direct);
      count(String(response.status));
      live.harvest(request.subject, certificate, response);
      failures = [
        ...checkResponse(responseKindOf(wire.target), wire.method, response),
        ...(endpoint.check?.(wire, response) ?? []),
      ];
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_INVALID_CHAR') {
        count('refused-by-client');
        return;
      }
      if (CONNECTION_CLOSED.has(code) && certificate !== undefined && REFUSED_AT_TLS.has(certificate)) {
        count('refused-at-tls');
        return;
      }
      count('no-response');
      failures = [
        {
          failure: 'no-response',
          detail: `${code} ${error instanceof Error ? error.message : String(error)}`,
        },
      ];
    }
    report.requests += 1;
    for (const { failure, detail } of failures) {
      const key = failureKey(endpoint.name, failure, wire, response);
      const known = byKey.get(key);
      if (known !== undefined) {
        known.count += 1;
        continue;
      }
      const example: FailureExample = {
        endpoint: endpoint.name,
        failure,
        detail,
        chunk,
        index,
        certificate: certificate ?? '(none)',
        request: {
          method: wire.method,
          target: clip(wire.target, 400),
          headers: clippedHeaders(wire.headers),
          body: clip(wire.body?.toString('utf8') ?? ''),
        },
        response: { status: response?.status ?? 0, body: clip(response?.body ?? '', 400) },
        count: 1,
      };
      byKey.set(key, example);
      report.failures.push(example);
      options.onFailure?.(example);
    }
  };

  const chunks = Math.ceil(options.runs / options.chunkSize);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    const size = Math.min(options.chunkSize, options.runs - chunk * options.chunkSize);
    await live.refill(endpoint.pools);
    const requests = fc.sample(endpoint.requests, {
      seed: derivedSeed(options.seed, endpoint.name, chunk),
      numRuns: size,
    });
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const index = next++;
        await sendOne(requests[index] as FuzzRequest, chunk, index);
      }
    };
    const inFlight = Math.min(options.concurrency, endpoint.concurrency ?? options.concurrency);
    await Promise.all(Array.from({ length: inFlight }, worker));
    report.milliseconds = performance.now() - started;
    options.onProgress?.(report);
  }
  report.milliseconds = performance.now() - started;
  return report;
}
