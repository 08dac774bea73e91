import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, metrics } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InvalidGrantError } from '@psd2/oauth-errors';
import { createHttpApp } from './app.js';
import { defineEndpoint } from './endpoint.js';
import { json } from './endpoint-result.js';
import { capturingLogger } from './log-capture.test-support.js';
import { type RunningServer, startHttpServer } from './server.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
const manager = new AsyncLocalStorageContextManager().enable();
const { logger, lines } = capturingLogger('endpoint-metrics-test');
let running: RunningServer;

beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  context.setGlobalContextManager(manager);
  const app = createHttpApp({
    logger,
    endpoints: [
      defineEndpoint({
        method: 'POST',
        path: '/fast',
        accepts: 'form',
        response: 'api',
        handle: async ({ fields }) => {
          fields.client_id = 'client-1';
          throw new InvalidGrantError();
        },
      }),
      defineEndpoint({
        method: 'GET',
        path: '/routed/:id',
        response: 'api',
        handle: async ({ rawParams }) => json({ id: rawParams.id }),
      }),
    ],
  });
  running = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger, handleSignals: false });
});

afterAll(async () => {
  await running.shutdown('test end');
  await provider.shutdown();
  metrics.disable();
  context.disable();
});

async function dataPoints(name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((each) => each.descriptor.name === name);
  return metric?.dataPoints.map((point) => point.attributes) ?? [];
}

describe('every endpoint, on either path', () => {
  it('records the request duration by method, route and status', async () => {
    await fetch(`${running.url}/fast`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'metrics-1' },
      body: 'a=b',
    });
    await fetch(`${running.url}/routed/42`, { headers: { 'x-request-id': 'metrics-2' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const durations = await dataPoints('http.server.request.duration');
    expect(durations).toContainEqual({
      'http.request.method': 'POST',
      'http.route': '/fast',
      'http.response.status_code': 400,
    });
    expect(durations).toContainEqual({
      'http.request.method': 'GET',
      'http.route': '/routed/:id',
      'http.response.status_code': 200,
    });
    expect(await dataPoints('psd2.oauth.errors')).toContainEqual({
      'http.route': '/fast',
      'oauth.error': 'invalid_grant',
      'http.response.status_code': 400,
    });
  });

  it('writes one access-log line with the handler fields', () => {
    expect(lines.filter((line) => line.msg === 'request' && line.request_id === 'metrics-1')).toEqual([
      expect.objectContaining({ path: '/fast', status: 400, client_id: 'client-1', error: 'invalid_grant' }),
    ]);
    expect(lines.filter((line) => line.msg === 'request' && line.request_id === 'metrics-2')).toEqual([
      expect.objectContaining({ path: '/routed/42', status: 200 }),
    ]);
  });
});
