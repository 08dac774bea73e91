import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Only the libraries this product uses, each configured so that no secret reaches a span: Redis
 * keys are token hashes and values are token records, so a statement shows the command name only;
 * PostgreSQL spans carry the SQL text but never its parameters (the pg default).
 */
export function instrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => PROBE_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
    }),
    new ExpressInstrumentation(),
    new GrpcInstrumentation(),
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
  ];
}
