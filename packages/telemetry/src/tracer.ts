import { type Tracer, trace } from '@opentelemetry/api';

/**
 * A getter for one instrumentation scope's tracer that asks the provider once, not on every request
 * (each ask makes a new ProxyTracer while no SDK is registered). It follows a provider registered
 * later, as the test suites do.
 */
export function tracerOf(scope: string): () => Tracer {
  let cached: { readonly provider: unknown; readonly tracer: Tracer } | undefined;
  return () => {
    const provider = trace.getTracerProvider();
    if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(scope) };
    return cached.tracer;
  };
}
