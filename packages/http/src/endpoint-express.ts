import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response, Router } from 'express';
import { acceptBody, BODY_LIMITS } from './body.js';
import { isEdgeConnection } from './edge-connection.js';
import type { Endpoint } from './endpoint.js';
import { EndpointCall } from './endpoint-call.js';
import { writeResult } from './endpoint-result.js';
import { type PageErrorRenderer, resultOf } from './endpoint-serve.js';

/** Runs express middlewares one after the other, as the router would, outside the router. */
function runMiddlewares(handlers: readonly RequestHandler[], req: Request, res: Response): Promise<void> {
  return handlers.reduce<Promise<void>>(
    (previous, handler) =>
      previous.then(
        () =>
          new Promise<void>((resolve, reject) => {
            handler(req, res, (error?: unknown) => (error === undefined ? resolve() : reject(error)));
          }),
      ),
    Promise.resolve(),
  );
}

/** A request through express: body-parser reads its body, the router decoded its parameters. */
class ExpressCall extends EndpointCall {
  constructor(
    private readonly req: Request,
    private readonly res: Response,
    private readonly bodyParsers: readonly RequestHandler[],
  ) {
    super(res.locals.requestLog);
  }

  get method(): string {
    return this.req.method;
  }
  get path(): string {
    return this.req.path;
  }
  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
  get fromEdge(): boolean {
    return isEdgeConnection(this.req.socket);
  }
  get clientAddress(): string | undefined {
    return this.req.ip;
  }
  get rawParams(): Readonly<Record<string, string>> {
    return this.req.params as Record<string, string>;
  }
  get rawQuery(): unknown {
    return this.req.query;
  }

  async readBody(): Promise<unknown> {
    if (this.bodyParsers.length === 0) return undefined;
    await runMiddlewares(this.bodyParsers, this.req, this.res);
    return this.req.body;
  }
}

const ROUTER_METHOD = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  DELETE: 'delete',
  PATCH: 'patch',
  ALL: 'all',
} as const;

/**
 * Mounts an endpoint on an express router: helmet's headers first for a page, then the layer's
 * steps (endpoint.ts), then the one response writer.
 */
export function mountEndpoint(
  router: Router,
  endpoint: Endpoint,
  options: { readonly pageHeaders: RequestHandler; readonly renderPageError: PageErrorRenderer | undefined },
): void {
  const bodyParsers =
    endpoint.accepts === 'none'
      ? []
      : acceptBody(endpoint.accepts, { limit: `${endpoint.bodyLimitBytes ?? BODY_LIMITS.bytes}b` });
  const handler = async (req: Request, res: Response): Promise<void> => {
    const call = new ExpressCall(req, res, bodyParsers);
    const result = await resultOf(endpoint, call, options.renderPageError);
    writeResult(res, endpoint.response, call.requestId, result);
  };
  const route = router[ROUTER_METHOD[endpoint.method]].bind(router);
  if (endpoint.response === 'page') route(endpoint.path, options.pageHeaders, handler);
  else route(endpoint.path, handler);
}
