import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  edgeAgent,
  freePort,
  repoRoot,
  type StartedProcess,
  serviceTlsEnv,
  startNodeProcess,
  testPki,
} from '@psd2/testing';
import { type Agent, fetch as undiciFetch } from 'undici';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

const SPAN_KIND_SERVER = 2;

/** A minimal OTLP/HTTP (JSON) trace receiver, standing in for an OpenTelemetry Collector. */
function startReceiver(received: OtlpExport[]): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        if (req.url === '/v1/traces') received.push(JSON.parse(body) as OtlpExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

describe('telemetry preload', () => {
  const received: OtlpExport[] = [];
  let receiver: { server: Server; url: string };
  let service: StartedProcess;
  let serviceUrl: string;
  // The service's PORT answers the edge's client certificate alone.
  let edge: Agent;
  const fetch = (url: string, init: { headers?: Record<string, string> } = {}) =>
    undiciFetch(url, { ...init, dispatcher: edge });

  beforeAll(async () => {
    receiver = await startReceiver(received);
    const pki = await testPki();
    edge = edgeAgent(pki);
    const port = await freePort();
    serviceUrl = `https://127.0.0.1:${port}`;
    service = startNodeProcess({
      cwd: join(repoRoot, 'services', 'token'),
      args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
      env: {
        PORT: String(port),
        HEALTH_PORT: String(await freePort()),
        ...serviceTlsEnv(pki, 'token'),
        // No Redis here: a sandbox keeps its tokens in the process (bank mode would refuse to start).
        DEPLOYMENT_MODE: 'sandbox',
        REDIS_URL: '',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_SERVICE_NAME: '',
        // The standard sampler variables, at a ratio of 0 so that only the caller's decision counts.
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      },
    });
    await service.waitForOutput('"msg":"listening"');
  });

  afterAll(async () => {
    await edge.close();
    await service.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('exports the span of an HTTP request over OTLP, continuing the caller trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${serviceUrl}/.well-known/oauth-authorization-server`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.status).toBe(200);

    const deadline = Date.now() + 10_000;
    const spansOf = () =>
      received.flatMap((batch) =>
        batch.resourceSpans.flatMap((resourceSpans) =>
          resourceSpans.scopeSpans.flatMap((scopeSpans) =>
            scopeSpans.spans.map((span) => ({
              ...span,
              scope: scopeSpans.scope.name,
              service: resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value
                .stringValue,
            })),
          ),
        ),
      );
    while (Date.now() < deadline && !spansOf().some((span) => span.kind === SPAN_KIND_SERVER)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const spans = spansOf().filter((span) => span.traceId === traceId);
    const serverSpan = spans.find((span) => span.kind === SPAN_KIND_SERVER);
    expect(serverSpan).toMatchObject({ service: 'token', parentSpanId: '00f067aa0ba902b7' });
    // Named after its route (packages/http sets it for the HTTP instrumentation). That the ESM loader
    // hook is in place before pg, ioredis and gRPC load is proven by observability/tracing.test.ts, whose trace
    // has their spans.
    expect(serverSpan?.name).toBe('GET /.well-known/oauth-authorization-server');

    // The request's log line carries the same trace id.
    await service.waitForOutput(`"trace_id":"${traceId}"`, 5000);
  });

  it('honours OTEL_TRACES_SAMPLER: the caller decides, and its own traces are sampled at the ratio', async () => {
    const unsampledTrace = 'a0000000000000000000000000000001';
    await fetch(`${serviceUrl}/.well-known/oauth-authorization-server`, {
      headers: { traceparent: `00-${unsampledTrace}-00f067aa0ba902b7-00` },
    });
    for (let index = 0; index < 10; index += 1) {
      await fetch(`${serviceUrl}/.well-known/oauth-authorization-server`);
    }
    const marker = 'b0000000000000000000000000000002';
    await fetch(`${serviceUrl}/.well-known/oauth-authorization-server`, {
      headers: { traceparent: `00-${marker}-00f067aa0ba902b7-01` },
    });
    const traceIds = () =>
      received.flatMap((batch) =>
        batch.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.traceId))),
      );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !traceIds().includes(marker)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Only the two sampled callers' traces: nothing for the unsampled caller or the ten without one.
    expect(new Set(traceIds())).toEqual(new Set(['4bf92f3577b34da6a3ce929d0e0e4736', marker]));
  });
});
