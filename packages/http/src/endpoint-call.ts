import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '@psd2/logging';
import type { EndpointContext } from './endpoint.js';
import type { RequestLog } from './request-context.js';

/**
 * One request to an endpoint, as the layer serves it and as the handler sees it (its EndpointContext):
 * the fast path and express each supply the request's source (headers, peer, body reader); the
 * layer fills in the checked input and the caller. A class, for its prototype getters: see
 * RequestLogEntry (request-context.ts) on getters in per-request literals.
 */
export abstract class EndpointCall implements EndpointContext<unknown, unknown, unknown, unknown> {
  params: unknown;
  query: unknown;
  body: unknown;
  caller: unknown;

  constructor(private readonly requestLog: Pick<RequestLog, 'requestId' | 'log' | 'fields'>) {}

  get requestId(): string {
    return this.requestLog.requestId;
  }
  get log(): Logger {
    return this.requestLog.log;
  }
  get fields(): Record<string, string> {
    return this.requestLog.fields;
  }

  abstract get method(): string;
  /** The request path, without its query string. */
  abstract get path(): string;
  abstract get headers(): IncomingHttpHeaders;
  abstract get fromEdge(): boolean;
  abstract get clientAddress(): string | undefined;
  abstract get rawParams(): Readonly<Record<string, string>>;
  /** The query string's parameters, before the query schema. */
  abstract get rawQuery(): unknown;
  /** Reads, checks and parses the body as the endpoint accepts it. */
  abstract readBody(): Promise<unknown>;
}
