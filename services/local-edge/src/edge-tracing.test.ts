import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type LocalEdge, startLocalEdge } from './edge.js';
import { callEdge, closedUrl, edgeOptions, listening, stop, useTestPki } from './edge.test-support.js';

/*
 * The edge's two spans with a real SDK registered (as the telemetry preload does): the SERVER span
 * continuing the client's trace, the CLIENT span for the call to the service, whose context is the one
 * the service receives, and how both end when the call succeeds or fails. A separate file because the
 * global tracer provider would change what the other test files observe (untraced, trace headers pass as they came).
 */

/** Ended spans, kept in memory as they end (no exporter: nothing asynchronous in between). */
const ended: ReadableSpan[] = [];
const collector: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span) => {
    ended.push(span);
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [collector] }));
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`;

const files = useTestPki();
let edge: LocalEdge;
let serviceUrl: URL;
const received = new Map<string, http.IncomingHttpHeaders>();
const service = http.createServer((request, response) => {
  received.set(request.url ?? '', request.headers);
  request.resume();
  if (request.url?.startsWith('/oauth2/register/garbage')) {
    request.socket.end('NOT HTTP\r\n\r\n');
  } else if (request.url?.startsWith('/oauth2/register/silent')) {
    // no answer: the route timeout
  } else if (request.url?.startsWith('/oauth2/register/cut-mid-body')) {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    response.write('part', () => setTimeout(() => request.socket.destroy(), 20));
  } else {
    response.writeHead(request.url?.startsWith('/oauth2/register/failing') ? 500 : 200);
    response.end('{}');
  }
});

beforeAll(async () => {
  serviceUrl = await listening(service);
  const down = await closedUrl();
  edge = await startLocalEdge(
    edgeOptions(
      files.pki,
      { registration: serviceUrl, authorization: serviceUrl, token: serviceUrl, revocation: down },
      { routeTimeoutSeconds: 1 },
    ),
  );
});

afterAll(async () => {
  await edge?.close();
  await stop(service);
});

beforeEach(() => {
  ended.length = 0;
});

/** Status, or the error's message when the response did not complete. */
function call(path: string, method = 'GET'): Promise<number | string> {
  return callEdge(edge, files.pki, path, {
    method,
    headers: { traceparent: TRACEPARENT, tracestate: 'client=1' },
  }).then(
    (reply) => reply.status,
    (error: Error) => error.message,
  );
}

/** The edge's server and client spans of the last request, once both have ended. */
async function spans(): Promise<{ server: ReadableSpan; client: ReadableSpan }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const server = ended.find((span) => span.kind === SpanKind.SERVER);
    const client = ended.find((span) => span.kind === SpanKind.CLIENT);
    if (server !== undefined && client !== undefined) return { server, client };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`spans not ended: ${ended.map((span) => span.kind).join()}`);
}

describe('local edge tracing', () => {
  it('continues the client trace and calls the service from a client span of its own', async () => {
    expect(await call('/oauth2/register/ok?x=1', 'POST')).toBe(200);
    const { server, client } = await spans();
    expect(server.spanContext().traceId).toBe(CLIENT_TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(CLIENT_SPAN_ID);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/oauth2/register/ok',
      'http.response.status_code': 200,
      'psd2.upstream': 'registration',
    });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);

    expect(client.name).toBe('POST');
    expect(client.spanContext().traceId).toBe(CLIENT_TRACE_ID);
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(serviceUrl.port),
      'url.full': `${serviceUrl.origin}/oauth2/register/ok`,
      'http.response.status_code': 200,
    });
    expect(client.status.code).toBe(SpanStatusCode.UNSET);

    // The service continues from the edge's client span, not from the client's; the client's tracestate
    // travels on inside the span context (W3C Trace Context §3.3), not as the header the client sent.
    const headers = received.get('/oauth2/register/ok?x=1');
    expect(headers?.traceparent).toBe(`00-${CLIENT_TRACE_ID}-${client.spanContext().spanId}-01`);
    expect(headers?.tracestate).toBe('client=1');
  });

  it('marks both spans failed when the service answers 5xx', async () => {
    expect(await call('/oauth2/register/failing')).toBe(500);
    const { server, client } = await spans();
    expect(client.attributes['http.response.status_code']).toBe(500);
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
  });

  it.each([
    ['the service is down', '/oauth2/revoke', 503],
    ['the service answers garbage', '/oauth2/register/garbage', 502],
    ['the service does not answer in time', '/oauth2/register/silent', 504],
  ])('ends the client span failed, without a status, when %s', async (_case, path, status) => {
    expect(await call(path, 'POST')).toBe(status);
    const { server, client } = await spans();
    expect(client.attributes['http.response.status_code']).toBeUndefined();
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['http.response.status_code']).toBe(status);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends both spans failed when the service breaks off in the middle of the body', async () => {
    expect(await call('/oauth2/register/cut-mid-body')).toBe('aborted');
    const { server, client } = await spans();
    expect(client.attributes['http.response.status_code']).toBe(200);
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
  });
});
