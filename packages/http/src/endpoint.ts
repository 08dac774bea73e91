import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '@psd2/logging';
import type { z } from 'zod';
import type { EndpointCall } from './endpoint-call.js';
import { type InputRefusal, invalidRequest, parseInput } from './endpoint-input.js';
import type { EndpointResult, ResponseKind } from './endpoint-result.js';

/*
 * One way to declare an HTTP endpoint, for every service. An endpoint is data plus a handler:
 *
 *   const update = defineEndpoint({
 *     method: 'PUT',
 *     path: '/things/:thingId',             // express-style parameters
 *     accepts: 'json',                      // 'form' | 'json' | 'none': any other body → 415
 *     response: 'api',                      // 'api' (JSON, API_SECURITY_HEADERS) | 'page' (HTML, helmet)
 *     input: { params: z.object({ thingId: z.string() }), body: thingSchema },  // zod; a form body:
 *                                           // formSchema({ token: 'required', hint: 'optional' })
 *     invalidInput: (failure) => new InvalidThingError(failure.detail),  // default: invalid_request
 *     caller: owner,                        // 'anyone' (default) or a CallerCheck run before the body
 *     handle: async (ctx) => json({ ... }), // or page(), redirect(), empty(), text()
 *   });
 *
 * `FORM_POST` spreads the method, media type and response kind of an OAuth form endpoint.
 *
 * createHttpApp({ logger, endpoints: [update, ...] }) serves them: `POST` form API endpoints on a
 * fixed path through the form fast path (form-endpoint.ts, no express on the hot path), everything
 * else through express. Either way the request gets the same span, access-log line, request id and
 * `http.server.request.duration` histogram (route label = the declared path).
 *
 * The order is fixed: caller, then the body (media type, size, parse), then the input schemas, then
 * the handler. So an unauthenticated caller learns nothing about how its body would have been read.
 *
 * Results (endpoint-result.ts): json (status, headers, body), page (status, html, headers: its CSP,
 * Set-Cookie), redirect (302/303 with Location), empty (200/204), text (a pre-serialised body). An
 * `api` response carries API_SECURITY_HEADERS, a `page` response helmet's set; the result's own
 * headers replace either by name.
 *
 * Errors: a handler throws the typed OAuth errors of @psd2/oauth-errors. An `api` endpoint answers
 * them with the one serializer (oauthErrorResponse: RFC 6749 §5.2 JSON). A `page` endpoint hands
 * whatever it threw to the service's `renderPageError` (createHttpApp options), which returns the
 * result to send (an error page, or a redirect to the client with the error).
 *
 * Caller: a CallerCheck receives the request's headers, peer address, path parameters and log fields
 * and returns who is calling (a QWAC identity, a managed client) or throws (401/403/429). Its value
 * reaches the handler as `ctx.caller`, typed. certificateCaller (@psd2/client-authentication) is the
 * QWAC check; a service composes its own on top (registration: QWAC, rate limit, managed client).
 * Where a standard checks the body's form before the caller (introspection answers 415 before 401),
 * the handler checks the caller itself.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'ALL';
export type BodyMediaType = 'form' | 'json' | 'none';

/** What every step of a request can see. */
export interface RequestBasics {
  readonly requestId: string;
  /** The request's logger, bound to its request id (made on first use: read it only to log). */
  readonly log: Logger;
  /** Fields for the request's access-log line and span (client_id, organization_id, grant_type). */
  readonly fields: Record<string, string>;
  readonly method: string;
  /** The request path, without its query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * The connection is the edge's: TLS with its client certificate (service-tls.ts). Only then does
   * x-forwarded-client-cert speak for the TPP.
   */
  readonly fromEdge: boolean;
  /**
   * The client as express's `req.ip` sees it: X-Forwarded-For trusted only as the edge writes it
   * (`trust proxy`). Undefined on the form fast path, whose API callers are known by certificate.
   */
  readonly clientAddress: string | undefined;
  /** Path parameters as the router decoded them, before the params schema. */
  readonly rawParams: Readonly<Record<string, string>>;
}

/** Decides who is calling before the body is read; throws the OAuth error that refuses the request. */
export type CallerCheck<C> = (request: RequestBasics) => C | Promise<C>;

export interface EndpointContext<P, Q, B, C> extends RequestBasics {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: C;
}

type Schema = z.ZodType;
type Output<S> = S extends z.ZodType ? z.output<S> : never;

export interface EndpointSpec<
  PS extends Schema | undefined,
  QS extends Schema | undefined,
  BS extends Schema | undefined,
  C,
> {
  readonly method: HttpMethod;
  readonly path: string;
  /** The body's media type; default 'none' (no body is read). */
  readonly accepts?: BodyMediaType;
  readonly response: ResponseKind;
  /** Above this the body is refused with 413; default BODY_LIMITS.bytes. */
  readonly bodyLimitBytes?: number;
  readonly input?: { readonly params?: PS; readonly query?: QS; readonly body?: BS };
  /** The OAuth error for input the schemas refuse; default invalid_request. */
  readonly invalidInput?: InputRefusal;
  readonly caller?: 'anyone' | CallerCheck<C>;
  readonly handle: (
    ctx: EndpointContext<
      PS extends Schema ? Output<PS> : Readonly<Record<string, string>>,
      QS extends Schema ? Output<QS> : Readonly<Record<string, unknown>>,
      BS extends Schema ? Output<BS> : unknown,
      C
    >,
  ) => Promise<EndpointResult>;
}

/** A declared endpoint, its types erased: what createHttpApp mounts. */
export interface Endpoint {
  readonly method: HttpMethod;
  readonly path: string;
  readonly accepts: BodyMediaType;
  readonly response: ResponseKind;
  readonly bodyLimitBytes: number | undefined;
  serve(call: EndpointCall): Promise<EndpointResult>;
}

/** A `POST` of a form answered in JSON: the token, introspection and revocation endpoints (RFC 6749 §3.2). */
export const FORM_POST = { method: 'POST', accepts: 'form', response: 'api' } as const;

export function defineEndpoint<
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
  C = undefined,
>(spec: EndpointSpec<PS, QS, BS, C>): Endpoint {
  const refuse = spec.invalidInput ?? invalidRequest;
  const { params, query, body } = spec.input ?? {};
  const caller = spec.caller === undefined || spec.caller === 'anyone' ? undefined : spec.caller;
  const handle = spec.handle as (ctx: EndpointCall) => Promise<EndpointResult>;
  return {
    method: spec.method,
    path: spec.path,
    accepts: spec.accepts ?? 'none',
    response: spec.response,
    bodyLimitBytes: spec.bodyLimitBytes,
    async serve(call) {
      if (caller !== undefined) call.caller = await caller(call);
      const rawBody = await call.readBody();
      call.params =
        params === undefined ? call.rawParams : parseInput(params, call.rawParams, 'params', refuse);
      call.query = query === undefined ? call.rawQuery : parseInput(query, call.rawQuery, 'query', refuse);
      call.body = body === undefined ? rawBody : parseInput(body, rawBody, 'body', refuse);
      return handle(call);
    },
  };
}
