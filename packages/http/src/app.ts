import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@psd2/logging';
import { InvalidRequestError } from '@psd2/oauth-errors';
import express, { type Express, type NextFunction, type Request, type Response, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Endpoint } from './endpoint.js';
import { mountEndpoint } from './endpoint-express.js';
import type { PageErrorRenderer } from './endpoint-serve.js';
import { oauthErrorHandler } from './errors.js';
import { formEndpointListener, servesFast } from './form-endpoint.js';
import { mountHealth, PROBE_PATHS, type ReadinessChecks } from './health.js';
import { requestLogger } from './request-context.js';
import { API_SECURITY_HEADERS } from './security-headers.js';
import { traceRequests } from './tracing.js';

export interface HttpAppOptions {
  readonly logger: Logger;
  /** Dependencies `/readyz` must reach (Redis, the client registry, ...). */
  readonly readiness?: ReadinessChecks;
  /** The service's endpoints (endpoint.ts); `POST` form API endpoints are served ahead of express. */
  readonly endpoints?: readonly Endpoint[];
  /** What a `page` endpoint answers for an error; without it, pages get the API's JSON errors. */
  readonly renderPageError?: PageErrorRenderer;
  /**
   * Plain express routes, behind helmet, for a service not yet on `endpoints`; mounted after the
   * endpoints and before the 404 and error handlers.
   */
  readonly routes?: (router: Router) => void;
  /** Overrides for helmet (the headers of `page` endpoints and `routes`), e.g. the pages' CSP. */
  readonly helmet?: HelmetOptions;
}

/** API_SECURITY_HEADERS on the JSON answers express writes itself (health, 404). */
function apiSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
  next();
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
  const pageHeaders = helmet(options.helmet);

  const health = Router();
  mountHealth(health, options.readiness ?? {});
  app.use([...PROBE_PATHS], apiSecurityHeaders);
  app.use(health);

  const endpoints = options.endpoints ?? [];
  const formEndpoints = endpoints.filter(servesFast);
  const routed = Router();
  for (const endpoint of endpoints) {
    if (!servesFast(endpoint)) {
      mountEndpoint(routed, endpoint, { pageHeaders, renderPageError: options.renderPageError });
    }
  }
  app.use(routed);

  if (options.routes !== undefined) {
    const routes = Router();
    routes.use(pageHeaders);
    options.routes(routes);
    app.use(routes);
  }

  app.use(apiSecurityHeaders, (_req: Request, _res: Response, next: NextFunction) => {
    next(new InvalidRequestError({ status: 404, description: 'No such endpoint.' }));
  });
  app.use(oauthErrorHandler());

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
