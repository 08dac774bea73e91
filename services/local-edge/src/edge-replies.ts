import type http from 'node:http';
import {
  EDGE_REPLY_TEXTS,
  type EdgeReplyName,
  HTML_CONTENT_TYPE,
  htmlReplyBody,
  isPagePath,
  JSON_CONTENT_TYPE,
  jsonReplyBody,
} from '@psd2/edge-config';
import { normalisedTarget } from './target.js';

/*
 * The answers the edge gives itself, without a service: the texts of @psd2/edge-config's replies.ts,
 * which envoy.yaml's local_reply_config is checked against, so both edges say the same thing. OAuth
 * JSON (RFC 6749 §5.2 fields) as the services answer; under a PSU page route, the HTML page Envoy
 * gives there. Never cached.
 */

export interface EdgeReply {
  readonly name: EdgeReplyName;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const reply = (name: keyof typeof EDGE_REPLY_TEXTS, headers?: Record<string, string>): EdgeReply => ({
  name,
  status: EDGE_REPLY_TEXTS[name].status,
  ...(headers === undefined ? {} : { headers }),
});

export const EDGE_REPLIES = {
  /** A target the edge cannot route (escaped slashes, unparseable) or a header name with `_` (Envoy refuses both). */
  malformed: reply('malformed'),
  notFound: { name: 'notFound', status: 404 },
  /** The rest of the body is not read: the connection cannot carry another request. */
  bodyTooLarge: reply('bodyTooLarge', { connection: 'close' }),
  edgeFailed: reply('edgeFailed'),
  /** Envoy answers 503 when it cannot reach a service at all, 502-like when the service misbehaves. */
  upstreamUnavailable: reply('upstreamUnavailable'),
  upstreamMisbehaved: reply('upstreamMisbehaved'),
  upstreamTimedOut: reply('upstreamTimedOut'),
} as const satisfies Readonly<Record<string, EdgeReply>>;

/** The body and content type of a reply to a request for `rawTarget`: HTML under a page route. */
export function replyContent(reply: EdgeReply, rawTarget: string): { body: string; contentType: string } {
  const path = normalisedTarget(rawTarget)?.path;
  if (reply.name !== 'notFound' && path !== undefined && isPagePath(path)) {
    return { body: htmlReplyBody(reply.name), contentType: HTML_CONTENT_TYPE };
  }
  return { body: jsonReplyBody(reply.name), contentType: JSON_CONTENT_TYPE };
}

export function sendReply(response: http.ServerResponse, reply: EdgeReply): void {
  // Node sets `req` on every response of an http(s) server; the request's own path picks the format.
  const { body, contentType } = replyContent(reply, response.req?.url ?? '');
  send(response, reply.status, body, { 'content-type': contentType, ...reply.headers });
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  send(response, status, body, { 'content-type': JSON_CONTENT_TYPE, ...extra });
}

function send(
  response: http.ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>>,
): void {
  response.writeHead(status, {
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}
