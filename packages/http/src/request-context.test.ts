import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Attributes,
  context,
  metrics,
  ROOT_CONTEXT,
  type Span,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InvalidGrantError, InvalidRequestError } from '@psd2/oauth-errors';
import express from 'express';
import { oauthErrorHandler } from './errors.js';
import { capturingLogger } from './log-capture.test-support.js';
import { requestLogger, spanAttributesOf } from './request-context.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Stands in for the HTTP instrumentation's server span: records what is set on it. */
function recordingSpan(): Span & { attributes: Attributes } {
  const attributes: Attributes = {};
  const spanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  };
  const span = trace.wrapSpanContext(spanContext) as Span & { attributes: Attributes };
  span.attributes = attributes;
  span.setAttributes = (values: Attributes) => {
    Object.assign(attributes, values);
    return span;
  };
  return span;
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
const manager = new AsyncLocalStorageContextManager().enable();
let url: string;
let server: ReturnType<express.Express['listen']>;
let span = recordingSpan();
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  context.setGlobalContextManager(manager);
  const { logger } = capturingLogger('test', lines);
  const app = express();
  // The HTTP instrumentation runs the request inside its server span's context.
  app.use((_req, _res, next) => context.with(trace.setSpan(ROOT_CONTEXT, span), next));
  app.use(requestLogger(logger));
  app.post('/oauth2/token', (_req, res, next) => {
    res.locals.logFields.grant_type = 'authorization_code';
    res.locals.logFields.client_id = 'client-1';
    res.locals.logFields.organization_id = 'PSDFR-ACPR-12345';
    next(new InvalidGrantError({ detail: 'code already redeemed' }));
  });
  app.use((_req: express.Request, _res: express.Response, next: express.NextFunction) => {
    next(new InvalidRequestError({ status: 404, description: 'No such endpoint.' }));
  });
  app.use(oauthErrorHandler());
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  metrics.disable();
  context.disable();
});

describe('requestLogger', () => {
  it('puts the domain attributes and the OAuth error on the server span before it ends', async () => {
    span = recordingSpan();
    const response = await fetch(`${url}/oauth2/token`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(span.attributes).toEqual({
      'oauth.grant_type': 'authorization_code',
      'oauth.client_id': 'client-1',
      'psd2.organization_id': 'PSDFR-ACPR-12345',
      'oauth.error': 'invalid_grant',
    });
  });

  it('counts OAuth errors by endpoint and code, without client labels', async () => {
    await fetch(`${url}/oauth2/token`, { method: 'POST' });
    await fetch(`${url}/no/such/path/1`, { method: 'POST' });
    await fetch(`${url}/no/such/path/2`, { method: 'GET' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { resourceMetrics } = await reader.collect();
    const errors = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'psd2.oauth.errors');
    const points = errors?.dataPoints.map((point) => point.attributes) ?? [];
    expect(points).toContainEqual({
      'http.route': '/oauth2/token',
      'oauth.error': 'invalid_grant',
      'http.response.status_code': 400,
    });
    // A path no route matched is one series, whatever the path.
    expect(points.filter((point) => point['http.route'] === 'unmatched')).toEqual([
      { 'http.route': 'unmatched', 'oauth.error': 'invalid_request', 'http.response.status_code': 404 },
    ]);
  });

  it('logs the access line with the span ids and the same fields', async () => {
    const line = lines.find((entry) => entry.msg === 'request' && entry.error === 'invalid_grant');
    expect(line).toMatchObject({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      status: 400,
      client_id: 'client-1',
      organization_id: 'PSDFR-ACPR-12345',
      grant_type: 'authorization_code',
    });
  });

  it('maps only identifiers and codes to attributes', () => {
    expect(spanAttributesOf({ client_id: 'c', revocation: 'revoked', decision: 'grant' })).toEqual({
      'oauth.client_id': 'c',
    });
  });
});
