import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Attributes, context, type Span, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Logger } from '@psd2/logging';
import { instruments } from '@psd2/telemetry';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PROBE_PATHS } from './health.js';

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/**
 * Access-log fields that also go on the request's server span, under OpenTelemetry-style names, so
 * that a trace can be searched by TPP. Only identifiers and codes: never a credential.
 */
const SPAN_ATTRIBUTE_OF: Readonly<Record<string, string>> = {
  client_id: 'oauth.client_id',
  organization_id: 'psd2.organization_id',
  grant_type: 'oauth.grant_type',
  error: 'oauth.error',
};

/** The span attributes a request's log fields translate to. */
export function spanAttributesOf(fields: Readonly<Record<string, string>>): Attributes {
  const attributes: Attributes = {};
  for (const [field, attribute] of Object.entries(SPAN_ATTRIBUTE_OF)) {
    const value = fields[field];
    if (value !== undefined) attributes[attribute] = value;
  }
  return attributes;
}

/** The matched route pattern, never the raw path: metric labels must stay a small, fixed set. */
function endpointOf(req: Request): string {
  const route: unknown = req.route;
  const pattern =
    typeof route === 'object' && route !== null && typeof (route as { path?: unknown }).path === 'string'
      ? (route as { path: string }).path
      : undefined;
  return pattern === undefined ? 'unmatched' : `${req.baseUrl}${pattern}`;
}

declare global {
  namespace Express {
    interface Locals {
      /** The request's logger, bound to its request id (and trace ids through the logger's mixin). */
      log: Logger;
      requestId: string;
      /** Fields a handler learns along the way (client id, organisation id) for the access log line. */
      logFields: Record<string, string>;
      /** All three together, for the endpoint layer (endpoint-express.ts). */
      requestLog: RequestLog;
    }
  }
}

/** What a request carries through its handling, for its access-log line. */
export interface RequestLog {
  readonly requestId: string;
  /** The request's logger, bound to its request id (and trace ids through the logger's mixin). */
  readonly log: Logger;
  /** Fields a handler learns along the way (client id, organisation id) for the access log line. */
  readonly fields: Record<string, string>;
  /**
   * Names the request's route on its server span and labels, and copies the log fields onto the
   * span; called when the status line is written, once the route is known.
   */
  annotate(endpoint: string): void;
}

/**
 * A request's id, lazily made child logger and log fields. A class rather than an object literal with
 * `get log()`: V8 builds such a literal as a dictionary-mode object with a fresh getter closure each
 * time, and under load that kept everything the closure reached (the request, its response, their
 * headers) alive across minor GCs, so that every request was promoted to the old generation. The token
 * service spent about a sixth of its time in 8 ms scavenges (bench/README.md). A prototype getter has none
 * of that: the object is an ordinary one.
 */
class RequestLogEntry implements RequestLog {
  readonly fields: Record<string, string> = {};
  /** The route `annotate` names, for the error metric of the access-log line. */
  endpoint = 'unmatched';
  #log: Logger | undefined;

  constructor(
    private readonly logger: Logger,
    readonly requestId: string,
    private readonly rpc: ReturnType<typeof getRPCMetadata>,
    private readonly serverSpan: Span | undefined,
  ) {}

  // The child logger (a copy of the logger with the id bound) is made only if the request logs more
  // than its access line, which most requests do not.
  get log(): Logger {
    this.#log ??= this.logger.child({ request_id: this.requestId });
    return this.#log;
  }

  annotate(route: string): void {
    this.endpoint = route;
    // traceRequests() (or the generic HTTP instrumentation, were it on) names the span and labels
    // its duration metric with this route (semantic conventions: `POST /oauth2/token`).
    if (this.rpc?.type === RPCType.HTTP && route !== 'unmatched') this.rpc.route = route;
    this.serverSpan?.setAttributes(spanAttributesOf(this.fields));
  }
}

/**
 * Gives a request an id (the edge's `x-request-id` when it is well-formed, a new one otherwise; the
 * caller echoes it in `X-Request-Id`), a logger bound to it, and one access-log line when the response
 * finishes. The path is logged without its query string: authorization responses carry codes there.
 * Shared by the express middleware below and the form endpoints (form-endpoint.ts), so that both log,
 * count and annotate alike.
 */
export function beginRequestLog(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): RequestLog {
  const started = process.hrtime.bigint();
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  // The finish event fires outside the request's trace context; restore it so the line carries the ids.
  // The request's server span (traceRequests / startServerSpan) is the active one here.
  const requestContext = context.active();
  const rpc = getRPCMetadata(requestContext);
  const entry = new RequestLogEntry(logger, requestId, rpc, rpc?.span ?? trace.getSpan(requestContext));
  res.on('finish', () => {
    const { fields } = entry;
    const error = fields.error;
    if (error !== undefined) {
      instruments().oauthErrors.add(1, {
        'http.route': entry.endpoint,
        'oauth.error': error,
        'http.response.status_code': res.statusCode,
      });
    }
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    context.with(requestContext, () => {
      // Probes hit every few seconds; their successes only show at debug level.
      const quiet = res.statusCode < 400 && PROBE_PATHS.has(path);
      const level =
        res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : quiet ? 'debug' : 'info';
      logger[level](
        {
          request_id: requestId,
          method: req.method,
          path,
          status: res.statusCode,
          duration_ms: Math.round(durationMs * 100) / 100,
          ...fields,
        },
        'request',
      );
    });
  });
  return entry;
}

/** `beginRequestLog` for the express routes: the request's id, logger and fields go in `res.locals`. */
export function requestLogger(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestLog = beginRequestLog(logger, req, res, req.path);
    res.setHeader('X-Request-Id', requestLog.requestId);
    res.locals.requestId = requestLog.requestId;
    res.locals.log = requestLog.log;
    res.locals.logFields = requestLog.fields;
    res.locals.requestLog = requestLog;
    // The route is forgotten once the response has left the router, so it is read, and the span
    // annotated, when the status line is written.
    const writeHead = res.writeHead;
    res.writeHead = ((...args: unknown[]) => {
      res.writeHead = writeHead;
      requestLog.annotate(endpointOf(req));
      return Reflect.apply(writeHead, res, args) as Response;
    }) as Response['writeHead'];
    next();
  };
}
