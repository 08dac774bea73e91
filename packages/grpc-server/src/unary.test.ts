import { Metadata, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { capturingLogger } from '@psd2/testing';
import {
  ECHO_SERVICE_NAME,
  type EchoClient,
  type EchoRequest,
  echoService,
  failureOf,
  serveOnLoopback,
} from './test-support.js';
import { CallDeadlineError, type CallFailure, type UnaryWork, unaryCalls } from './unary.js';

/* The unary wrapper behind a real grpc-js server: answers, the error mapping, deadlines, the metric. */

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

class KnownError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The service's error model in the test: KnownError names its status; a deadline gets a trailer. */
function classify(error: unknown): CallFailure | undefined {
  if (error instanceof KnownError) return { code: error.code, details: error.message };
  if (error instanceof CallDeadlineError && error.message.includes('arrival')) {
    const metadata = new Metadata();
    metadata.set('x-test-error', 'late');
    return { code: status.DEADLINE_EXCEEDED, details: error.message, metadata };
  }
  return undefined;
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
const { logger, lines } = capturingLogger('grpc-server-unary-test');
const state = {
  timeouts: [] as number[],
  work: (async (request) => request) as UnaryWork<EchoRequest, EchoRequest>,
};
const unary = unaryCalls({
  service: ECHO_SERVICE_NAME,
  logger,
  maxCallMs: 300,
  classify,
});
const handler = unary<EchoRequest, EchoRequest>('Echo', (request, timeoutMs) => {
  state.timeouts.push(timeoutMs);
  return state.work(request, timeoutMs);
});
let client: EchoClient;
let close: () => void;

beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  ({ client, close } = await serveOnLoopback((server) => server.addService(echoService, { echo: handler })));
});

afterAll(async () => {
  close();
  await provider.shutdown();
  metrics.disable();
});

beforeEach(() => {
  state.timeouts.length = 0;
  state.work = async (request) => request;
  lines.length = 0;
});

async function durationPoints() {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === 'rpc.server.call.duration')
    .flatMap((metric) => metric.dataPoints.map((point) => point.attributes));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('unaryCalls', () => {
  it('answers with what the work returned and records the call by service, method and status', async () => {
    await expect(client.echo({ text: 'hi' })).resolves.toEqual({ text: 'hi' });
    expect(await durationPoints()).toContainEqual({
      'rpc.system': 'grpc',
      'rpc.service': ECHO_SERVICE_NAME,
      'rpc.method': 'Echo',
      'rpc.grpc.status_code': status.OK,
    });
  });

  it('answers a failure the classifier names with its status and details', async () => {
    state.work = async () => {
      throw new KnownError(status.NOT_FOUND, 'no such thing');
    };
    const failure = await failureOf(client.echo({ text: 'x' }));
    expect(failure).toMatchObject({ code: status.NOT_FOUND, details: 'no such thing' });
    expect(await durationPoints()).toContainEqual(
      expect.objectContaining({ 'rpc.grpc.status_code': status.NOT_FOUND }),
    );
  });

  it('answers an unexpected failure INTERNAL without describing it, and logs it', async () => {
    state.work = async () => {
      throw new TypeError('secret internal detail at /srv/app.js');
    };
    const failure = await failureOf(client.echo({ text: 'x' }));
    expect(failure).toMatchObject({
      code: status.INTERNAL,
      details: `internal error in ${ECHO_SERVICE_NAME}`,
    });
    expect(failure.details).not.toMatch(/secret|app\.js/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'gRPC call failed unexpectedly',
        grpcService: ECHO_SERVICE_NAME,
        method: 'Echo',
        err: expect.objectContaining({ message: 'secret internal detail at /srv/app.js' }),
      }),
    );
  });

  it('answers UNAVAILABLE when a dependency is down, with a warning (health stays as it is)', async () => {
    state.work = async () => {
      throw new KnownError(status.UNAVAILABLE, 'the store is down');
    };
    expect(await failureOf(client.echo({ text: 'x' }))).toMatchObject({ code: status.UNAVAILABLE });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'a dependency of the service is unavailable' }),
    );
  });

  it('caps the time a call without a deadline may take, and answers DEADLINE_EXCEEDED', async () => {
    state.work = async (request) => {
      // Unref'd: the work goes on after the answer, as it would in a service; it must not hold the test.
      await new Promise((resolve) => setTimeout(resolve, 2000).unref());
      return request;
    };
    const started = Date.now();
    const failure = await failureOf(client.echo({ text: 'x' }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(failure).toMatchObject({
      code: status.DEADLINE_EXCEEDED,
      details: 'Echo did not finish before its deadline',
    });
    expect(state.timeouts).toEqual([300]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'gRPC call exceeded its deadline', timeoutMs: 300 }),
    );
  });

  it("gives the work the time left before the caller's deadline when it is shorter", async () => {
    await client.echo({ text: 'x' }, { deadlineMs: 150 });
    expect(state.timeouts).toHaveLength(1);
    expect(state.timeouts[0]).toBeGreaterThan(50);
    expect(state.timeouts[0]).toBeLessThanOrEqual(150);
  });

  it('does no work for a call whose deadline had passed on arrival; the classifier may name it', async () => {
    const answers: unknown[] = [];
    const call = { request: { text: 'x' }, getDeadline: () => new Date(Date.now() - 1) };
    handler(call as unknown as ServerUnaryCall<EchoRequest, EchoRequest>, (error) => answers.push(error));
    await sleep(10);
    expect(state.timeouts).toEqual([]);
    expect(answers).toHaveLength(1);
    const [answer] = answers as CallFailure[];
    expect(answer).toMatchObject({
      code: status.DEADLINE_EXCEEDED,
      details: 'the deadline had passed on arrival',
    });
    expect(answer?.metadata?.get('x-test-error')).toEqual(['late']);
  });
});
