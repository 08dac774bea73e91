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

const CENSOR = '[redacted]';

/*
 * pino's redaction handles exact paths (`token`, `body.code`) at next to no cost, but its one-level
 * wildcards (`*.password`) cost about 15 µs on every line, even a line of plain strings and numbers:
 * the price of a whole service's request on the token endpoint. The wildcards are applied here
 * instead, in the log formatter, where a line whose values are all primitives costs a loop over its
 * keys. Same semantics: a key named in a wildcard path, one level below any top-level field, is
 * censored in a copy (an Error stays an Error, so its serializer still sees message and stack).
 */
const EXACT_PATHS = REDACTED_PATHS.filter((path) => !path.startsWith('*.'));
const NESTED_SECRET_KEYS = new Set(
  REDACTED_PATHS.filter((path) => path.startsWith('*.')).map((path) => path.slice(2)),
);

function withSecretsCensored(value: object): object {
  const keys = Object.keys(value);
  if (!keys.some((key) => NESTED_SECRET_KEYS.has(key))) return value;
  const copy: Record<string, unknown> = Array.isArray(value)
    ? [...value]
    : Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value));
  for (const key of keys) if (NESTED_SECRET_KEYS.has(key)) copy[key] = CENSOR;
  return copy;
}

/**
 * The wildcard paths of REDACTED_PATHS, applied to a log line's fields. A child logger's bindings get
 * the exact paths only (pino gives children no formatter): bind identifiers, never objects.
 */
export function censorNestedSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let censored: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null || typeof value !== 'object') continue;
    const safe = withSecretsCensored(value);
    if (safe !== value) {
      censored ??= { ...fields };
      censored[key] = safe;
    }
  }
  return censored ?? fields;
}

const STDOUT_BUFFER_BYTES = 4096;
const STDOUT_FLUSH_MS = 100;

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    pino.destination({
      dest: 1,
      sync: false,
      // One write(2) per few kilobytes of lines instead of one per line: on the token endpoint the
      // per-line write to stdout cost about a sixth of the service's CPU. A line waits at most
      // STDOUT_FLUSH_MS; pino flushes what is left synchronously when the process exits.
      minLength: STDOUT_BUFFER_BYTES,
      periodicFlush: STDOUT_FLUSH_MS,
    });
  return pino(
    {
      level: options.level,
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: censorNestedSecrets,
      },
      redact: { paths: EXACT_PATHS, censor: CENSOR },
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
