import type http from 'node:http';
import {
  type Attributes,
  type Histogram,
  isSpanContextValid,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  ValueType,
} from '@opentelemetry/api';
import type { UpstreamService } from '@psd2/edge-config';
import { tracerOf } from '@psd2/telemetry';

/*
 * Tracing, by hand: one SERVER span for the client's request (continuing its traceparent) and one
 * CLIENT span for the call to the service, whose context goes upstream in place of the client's.
 * Contexts are passed explicitly rather than through the generic HTTP instrumentation, which cost
 * the token benchmark about 20 points of throughput in this process alone (bench/src/tracing-overhead.ts)
 * for the same two spans (packages/telemetry/src/sdk.ts leaves this process uninstrumented).
 * Without the telemetry preload (or with OTEL_SDK_DISABLED=true) the API is a no-op: the spans are
 * invalid and the client's trace headers are passed on as they came.
 */
const INSTRUMENTATION_SCOPE = '@psd2/local-edge';

const edgeTracer = tracerOf(INSTRUMENTATION_SCOPE);

export function requestDurationHistogram(): Histogram {
  return metrics.getMeter(INSTRUMENTATION_SCOPE).createHistogram('http.server.request.duration', {
    description: 'Requests handled by the local edge, by upstream service.',
    unit: 's',
    valueType: ValueType.DOUBLE,
    advice: {
      explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    },
  });
}

/**
 * The SERVER span of one client request, ended (and its duration recorded) when the response closes;
 * `routedTo` is asked then, as the service is known only once the request has been routed.
 */
export function traceExchange(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  duration: Histogram,
  routedTo: () => UpstreamService | undefined,
): Span {
  const span = serverSpanOf(request);
  const started = performance.now();
  response.once('close', () => {
    const attributes: Attributes = {
      'http.request.method': request.method ?? 'GET',
      'http.response.status_code': response.statusCode,
      'psd2.upstream': routedTo() ?? 'none',
    };
    duration.record((performance.now() - started) / 1000, attributes);
    span.setAttributes(attributes);
    if (response.statusCode >= 500 || !response.writableFinished)
      span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return span;
}

function serverSpanOf(request: http.IncomingMessage): Span {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const method = request.method ?? 'GET';
  return edgeTracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.scheme': 'https',
        // Path only: a query string could carry anything a client put there.
        'url.path': (request.url ?? '').split('?', 1)[0] ?? '',
        'network.protocol.version': request.httpVersion,
        'client.address': request.socket.remoteAddress ?? '',
      },
    },
    parent,
  );
}

/** The trace and span ids for a log line, when the span is a real one. */
export function traceFields(span: Span): { trace_id?: string; span_id?: string } {
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

export function isTraced(span: Span): boolean {
  return isSpanContextValid(span.spanContext());
}

/** Where a call goes, as the CLIENT span describes it. */
export interface CallDestination {
  readonly hostname: string;
  readonly port: number;
  readonly origin: string;
}

/**
 * The CLIENT span of the call to a service, a child of the request's SERVER span; its context is
 * written into `headers`, for the service to continue the trace from.
 */
export function startCallSpan(
  parent: Span,
  method: string,
  destination: CallDestination,
  path: string,
  headers: Record<string, string | string[]>,
): Span {
  const span = edgeTracer().startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'server.address': destination.hostname,
        'server.port': destination.port,
        'url.full': `${destination.origin}${path}`,
      },
    },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  return span;
}

/** Ends a CLIENT span: the service's status when there was one; failed on a 5xx or a broken call. */
export function endCallSpan(span: Span, status: number | undefined, failed: boolean): void {
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (failed || (status ?? 0) >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
