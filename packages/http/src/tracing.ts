import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  type Histogram,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  ValueType,
} from '@opentelemetry/api';
import { getRPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core';
import { tracerOf } from '@psd2/telemetry';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PROBE_PATHS } from './health.js';

const SCOPE = '@psd2/http';

const serverTracer = tracerOf(SCOPE);

let duration: { provider: unknown; histogram: Histogram } | undefined;
function durationHistogram(): Histogram {
  const provider = metrics.getMeterProvider();
  if (duration?.provider !== provider) {
    duration = {
      provider,
      histogram: provider.getMeter(SCOPE).createHistogram('http.server.request.duration', {
        description: 'Requests handled by the service, by route.',
        unit: 's',
        valueType: ValueType.DOUBLE,
        advice: {
          explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
      }),
    };
  }
  return duration.histogram;
}

/**
 * The request's HTTP server span, continuing the caller's `traceparent`, and the
 * `http.server.request.duration` histogram, named and labelled by route as the semantic conventions
 * have them. It replaces the generic HTTP instrumentation, which cost the token endpoint about a
 * fifth of its throughput (bench/src/tracing-overhead.ts) for the same span: that instrumentation
 * patches every request's emitters and computes attributes a service behind the edge has no use for.
 *
 * The span is the active one for everything the request does (Redis, gRPC, PostgreSQL spans are its
 * children, through the SDK's AsyncLocalStorage context manager). The route comes from
 * `requestLogger`, through the same RPC metadata the HTTP instrumentation would read. Without the
 * telemetry preload the API is a no-op and this costs next to nothing.
 */
export function traceRequests(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => traceRequest(req, res, req.path, next);
}

/**
 * `traceRequests` for one request: runs `handle` inside the request's server span (and, for the
 * form endpoints, without express).
 */
export function traceRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handle: () => void,
): void {
  if (PROBE_PATHS.has(path) || getRPCMetadata(context.active()) !== undefined) {
    handle();
    return;
  }
  const method = req.method ?? 'GET';
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = serverTracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.scheme': 'http',
        'url.path': path,
        'network.protocol.version': req.httpVersion,
      },
    },
    parent,
  );
  const rpc: { type: RPCType.HTTP; span: typeof span; route?: string } = { type: RPCType.HTTP, span };
  const started = performance.now();
  res.once('close', () => {
    const status = res.statusCode;
    const attributes: Record<string, string | number> = {
      'http.request.method': method,
      'http.response.status_code': status,
    };
    if (rpc.route !== undefined) {
      attributes['http.route'] = rpc.route;
      span.updateName(`${method} ${rpc.route}`);
    }
    span.setAttributes(attributes);
    if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    durationHistogram().record((performance.now() - started) / 1000, attributes);
  });
  context.with(setRPCMetadata(trace.setSpan(parent, span), rpc), handle);
}
