import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

// Services' liveness and readiness, and the local edge's readiness listener (EDGE_HEALTH.path).
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/ready']);

/*
 * Query parameters that may carry a credential. None of our endpoints take one in the query string
 * (codes and tokens travel in POST bodies), but a misbehaving client could send one there, and the
 * query string lands in `url.query` (server spans) and `url.full` (the edge's client spans).
 */
const SECRET_QUERY_PARAMETERS = [
  'code',
  'code_verifier',
  'token',
  'access_token',
  'refresh_token',
  'registration_access_token',
  'client_secret',
  'password',
  'otp',
  'totp',
  // The instrumentation's own defaults (signed-URL parameters), kept.
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
];

/**
 * Only the libraries this product uses, each configured so that no secret reaches a span: Redis
 * keys are token hashes and values are token records, so a statement shows the command name only;
 * PostgreSQL spans carry the SQL text but never its parameters (enhancedDatabaseReporting off); no
 * HTTP header or gRPC metadata is captured as an attribute (neither instrumentation is asked to).
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
    [
      'http',
      () =>
        new HttpInstrumentation({
          ignoreIncomingRequestHook: (request) => PROBE_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
          redactedQueryParams: SECRET_QUERY_PARAMETERS,
          redactedQueryParamsServer: SECRET_QUERY_PARAMETERS,
        }),
    ],
    // No express instrumentation: it inspects every layer of every request (a measured 7 % of the
    // token endpoint's throughput) for spans that say little; packages/http gives the HTTP server
    // span its route instead.
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
