import type http from 'node:http';
import { NOT_FOUND_BODY } from '@psd2/edge-config';

/*
 * The answers the edge gives itself, without a service: OAuth-shaped JSON as the services answer
 * (RFC 6749 §5.2 fields), never cached.
 */

export interface EdgeReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function oauthError(error: string, description: string): string {
  return JSON.stringify({ error, error_description: description });
}

export const EDGE_REPLIES = {
  /** A target the edge cannot route (escaped slashes, unparseable) or a header name with `_` (Envoy refuses both). */
  malformed: { status: 400, body: oauthError('invalid_request', 'Malformed request.') },
  notFound: { status: 404, body: NOT_FOUND_BODY },
  /** The rest of the body is not read: the connection cannot carry another request. */
  bodyTooLarge: {
    status: 413,
    body: oauthError('invalid_request', 'Request body too large.'),
    headers: { connection: 'close' },
  },
  edgeFailed: { status: 500, body: oauthError('server_error', 'The edge failed.') },
  /** Envoy answers 503 when it cannot reach a service at all, 502-like when the service misbehaves. */
  upstreamUnavailable: {
    status: 503,
    body: oauthError('temporarily_unavailable', 'The service is unavailable.'),
  },
  upstreamMisbehaved: { status: 502, body: oauthError('server_error', 'The service answered incorrectly.') },
  upstreamTimedOut: {
    status: 504,
    body: oauthError('temporarily_unavailable', 'The service did not answer in time.'),
  },
} as const satisfies Readonly<Record<string, EdgeReply>>;

export function sendReply(response: http.ServerResponse, reply: EdgeReply): void {
  sendJson(response, reply.status, reply.body, reply.headers);
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  response.end(body);
}
