import { afterAll, describe, expect, it } from '@jest/globals';
import { type Span, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { tracerOf } from './tracer.js';

afterAll(() => trace.disable());

describe('tracerOf', () => {
  it('asks for the tracer once, and still reaches a provider registered later', () => {
    const tracer = tracerOf('@psd2/test');
    const first = tracer();
    expect(tracer()).toBe(first);

    const started: string[] = [];
    const recording = {
      startSpan: (name: string) => {
        started.push(name);
        return trace.wrapSpanContext({
          traceId: '1'.repeat(32),
          spanId: '2'.repeat(16),
          traceFlags: 1,
        }) as Span;
      },
    } as unknown as Tracer;
    const scopes: string[] = [];
    const provider: TracerProvider = {
      getTracer: (name: string) => {
        scopes.push(name);
        return recording;
      },
    };
    trace.setGlobalTracerProvider(provider);
    tracer().startSpan('POST /oauth2/token').end();
    tracer().startSpan('POST /oauth2/introspect').end();
    expect(started).toEqual(['POST /oauth2/token', 'POST /oauth2/introspect']);
    expect(scopes).toEqual(['@psd2/test']);
  });
});
