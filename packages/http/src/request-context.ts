import { randomUUID } from 'node:crypto';
import { context } from '@opentelemetry/api';
import type { Logger } from '@psd2/logging';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const REQUEST_ID = /^[\w.:@-]{1,128}$/;
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

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
    const requestContext = context.active();
    res.on('finish', () => {
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
