import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** The process or component name, e.g. `token`. */
  readonly name: string;
  readonly level: string;
  /** Where lines go; defaults to an asynchronous stdout so logging stays off the request's critical path. */
  readonly destination?: DestinationStream;
}

/**
 * Field names that may hold secrets anywhere in a log object. Redaction is a safety net: code
 * should not log these in the first place.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'access_token',
  'refresh_token',
  'registration_access_token',
  'code',
  'code_verifier',
  'client_secret',
  'totp',
  'otp',
  'authorization',
  'cookie',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.registration_access_token',
  // Authorization codes arrive as form or query fields; `err.code` (ECONNREFUSED…) must stay readable.
  'body.code',
  'query.code',
  'params.code',
  '*.code_verifier',
  '*.totp',
  '*.otp',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-forwarded-client-cert"]',
];

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: options.level,
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Every line logged inside a traced operation carries its ids, so logs and traces join up.
      mixin() {
        const span = trace.getActiveSpan();
        if (span === undefined) return {};
        const context = span.spanContext();
        // Without a tracer provider the active span is a placeholder with all-zero ids: leave them out.
        if (!isSpanContextValid(context)) return {};
        return {
          trace_id: context.traceId,
          span_id: context.spanId,
          trace_flags: `0${context.traceFlags.toString(16)}`,
        };
      },
    },
    destination,
  );
}
