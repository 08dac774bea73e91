import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/**
 * Only the libraries this product uses, each configured so that no secret reaches a span: Redis
 * keys are token hashes and values are token records, so a statement shows the command name only;
 * PostgreSQL spans carry the SQL text but never its parameters (enhancedDatabaseReporting off); no
 * gRPC metadata is captured as an attribute (the instrumentation is given no list).
 */
export function instrumentations(env: NodeJS.ProcessEnv = process.env): Instrumentation[] {
  // OTEL_NODE_DISABLED_INSTRUMENTATIONS, as in @opentelemetry/auto-instrumentations-node: short names.
  const disabled = new Set(
    (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  const all: Array<[string, () => Instrumentation]> = [
    // No generic HTTP or express instrumentation: packages/http makes each request's server span
    // (traceRequests, named by route) and the local edge its own two. The generic ones cost the
    // token endpoint about a fifth of its throughput (bench/src/tracing-overhead.ts) for the same
    // spans plus middleware spans of no use; the services make no outgoing HTTP calls of their own.
    // grpc.health.v1 probes (kubelet, every few seconds) would each make a trace of their own.
    ['grpc', () => new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] })],
    // A registry health probe runs every two seconds; outside a request it would make a trace each time.
    ['pg', () => new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true })],
    [
      'ioredis',
      () =>
        new IORedisInstrumentation({ dbStatementSerializer: (command) => command, requireParentSpan: true }),
    ],
  ];
  return all.filter(([name]) => !disabled.has(name)).map(([, create]) => create());
}
