import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@psd2/logging';
import { InvalidRequestError } from '@psd2/oauth-errors';
import express, { type Express, type NextFunction, type Request, type Response, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { oauthErrorHandler } from './errors.js';
import { type FormEndpoint, formEndpointListener } from './form-endpoint.js';
import { mountHealth, type ReadinessChecks } from './health.js';
import { requestLogger } from './request-context.js';
import { traceRequests } from './tracing.js';

export interface HttpAppOptions {
  readonly logger: Logger;
  /** Dependencies `/readyz` must reach (Redis, the client registry, ...). */
  readonly readiness?: ReadinessChecks;
  /** The service's routes; mounted after the health endpoints and before the 404 and error handlers. */
  readonly routes: (router: Router) => void;
  /** Overrides for helmet, e.g. the consent pages' Content-Security-Policy. */
  readonly helmet?: HelmetOptions;
  /** Hot `POST` form endpoints served ahead of express, with the same logs, spans and errors (form-endpoint.ts). */
  readonly formEndpoints?: readonly FormEndpoint[];
}

interface ExpressDispatch {
  handle(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
}

/**
 * Every HTTP service is built by this factory, so that security headers, request ids, logs, health
 * endpoints and the error format are the same everywhere. It does no I/O.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // The services sit behind the edge and never see TLS; the edge's X-Forwarded-* headers are trusted
  // only from loopback or private ranges (the edge), never from the Internet.
  app.set('trust proxy', ['loopback', 'uniquelocal']);
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.locals.draining = false;

  app.use(traceRequests());
  app.use(requestLogger(options.logger));
  app.use(helmet(options.helmet));

  const health = Router();
  mountHealth(health, options.readiness ?? {});
  app.use(health);

  const routes = Router();
  options.routes(routes);
  app.use(routes);

  app.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new InvalidRequestError({ status: 404, description: 'No such endpoint.' }));
  });
  app.use(oauthErrorHandler());

  const formEndpoints = options.formEndpoints ?? [];
  if (formEndpoints.length > 0) {
    const serveFormEndpoint = formEndpointListener({ endpoints: formEndpoints, logger: options.logger });
    // Every way into the app (app.listen, http.createServer(app), test clients) goes through express's
    // dispatch method, app.handle (express/lib/express.js): the form endpoints answer first, express
    // everything else. The method is not in express's type declarations, hence the narrow view.
    const dispatcher = app as unknown as ExpressDispatch;
    if (typeof dispatcher.handle !== 'function') throw new Error('express has no app.handle to wrap');
    const expressHandle = dispatcher.handle.bind(app);
    dispatcher.handle = (req, res, next) => {
      if (!serveFormEndpoint(req, res)) expressHandle(req, res, next);
    };
  }
  return app;
}
