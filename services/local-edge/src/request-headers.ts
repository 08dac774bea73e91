import type http from 'node:http';
import { connectionOptions, staysOnThisHop } from './hop-by-hop.js';

/** What the edge itself says about a request, on top of the client's own fields. */
export interface EdgeRequestFacts {
  /** The edge's client span carries the trace upstream (see upstreamRequestHeaders). */
  readonly traced: boolean;
  /** The XFCC element of the verified client certificate, if one was presented. */
  readonly clientCertificate: string | undefined;
  readonly requestId: string;
  readonly bodyLength: number;
}

/** Envoy's headers_with_underscores_action: REJECT_REQUEST. */
export function hasUnderscoreName(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.includes('_')) return true;
  }
  return false;
}

/** A repeated field as one value, as Node's IncomingMessage joins most of them. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The fields the service receives: the client's end-to-end fields, then the edge's own. */
export function upstreamRequestHeaders(
  request: http.IncomingMessage,
  facts: EdgeRequestFacts,
): Record<string, string | string[]> {
  const listed = connectionOptions(request.headers.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name of Object.keys(request.headers)) {
    const value = request.headers[name];
    if (value === undefined || staysOnThisHop(name, listed)) continue;
    // Traced, the edge's client span continues the trace upstream (the proxy writes its context): the
    // client's own trace headers must not travel alongside. Untraced, they are passed on as they came.
    if (facts.traced && (name === 'traceparent' || name === 'tracestate')) continue;
    // SANITIZE_SET: whatever XFCC the client sent is discarded; x-envoy-* is internal to the edge.
    if (name === 'x-forwarded-client-cert' || name.startsWith('x-envoy-') || name === 'content-length')
      continue;
    // Node's server has already answered 100 Continue and the body is read; undici refuses the field.
    if (name === 'expect') continue;
    headers[name] = value;
  }
  if (facts.clientCertificate !== undefined) headers['x-forwarded-client-cert'] = facts.clientCertificate;
  // Appended, as Envoy does with use_remote_address: true.
  const forwardedFor = singleHeader(request.headers['x-forwarded-for']);
  const remote = request.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = forwardedFor === undefined ? remote : `${forwardedFor}, ${remote}`;
  headers['x-forwarded-proto'] = 'https';
  headers['x-request-id'] = facts.requestId;
  if (facts.bodyLength > 0 || request.method === 'POST' || request.method === 'PUT') {
    headers['content-length'] = String(facts.bodyLength);
  }
  return headers;
}
