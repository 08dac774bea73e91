import { randomUUID } from 'node:crypto';
import { type Attributes, context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Logger } from '@psd2/logging';
import { instruments } from '@psd2/telemetry';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const REQUEST_ID = /^[\w.:@-]{1,128}$/;
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

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
    }
  }
}

/**
 * Gives every request an id (the edge's `x-request-id` when it is well-formed, a new one otherwise),
 * a child logger, and one access-log line when the response finishes. The path is logged without
 * its query string: authorization responses carry codes there.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ request_id: requestId });
    res.locals.logFields = {};
    // The finish event fires outside the request's trace context; restore it so the line carries the ids.
    // traceRequests() runs just before: the active span is the request's server span.
    const requestContext = context.active();
    const rpc = getRPCMetadata(requestContext);
    const serverSpan = rpc?.span ?? trace.getSpan(requestContext);
    let endpoint = 'unmatched';
    // The route is forgotten once the response has left the router, so it is read, and the span
    // annotated, when the status line is written.
    const writeHead = res.writeHead;
    res.writeHead = ((...args: unknown[]) => {
      res.writeHead = writeHead;
      endpoint = endpointOf(req);
      // traceRequests() (or the generic HTTP instrumentation, were it on) names the span and labels
      // its duration metric with this route (semantic conventions: `POST /oauth2/token`).
      if (rpc?.type === RPCType.HTTP && endpoint !== 'unmatched') rpc.route = endpoint;
      serverSpan?.setAttributes(spanAttributesOf(res.locals.logFields));
      return Reflect.apply(writeHead, res, args) as Response;
    }) as Response['writeHead'];
    res.on('finish', () => {
      const error = res.locals.logFields.error;
      if (error !== undefined) {
        instruments().oauthErrors.add(1, {
          'http.route': endpoint,
          'oauth.error': error,
          'http.response.status_code': res.statusCode,
        });
      }
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      context.with(requestContext, () => {
        // Probes hit every few seconds; their successes only show at debug level.
        const quiet = res.statusCode < 400 && PROBE_PATHS.has(req.path);
        const level =
          res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : quiet ? 'debug' : 'info';
        res.locals.log[level](
          {
            method: req.method,
            path: req.path,
            status: res.statusCode,
            duration_ms: Math.round(durationMs * 100) / 100,
            ...res.locals.logFields,
          },
          'request',
        );
      });
    });
    next();
  };
}
