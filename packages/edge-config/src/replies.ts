import { NOT_FOUND_BODY } from './routes.js';

/*
 * The answers an edge gives itself, without a service, the same from both edges: envoy.yaml's
 * `local_reply_config` (checked by envoy-local-replies.test.ts) and the local edge's edge-replies.ts.
 * On API paths, OAuth JSON (RFC 6749 §5.2 fields) as the services answer; under a page route
 * (routes.ts `kind: 'page'`) a PSU's browser reads it, so a small HTML page in both languages.
 * Never cached (`cache-control: no-store`).
 */

export const JSON_CONTENT_TYPE = 'application/json';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

export interface EdgeReplyText {
  readonly status: number;
  /** RFC 6749 §5.2 `error`. */
  readonly error: string;
  readonly english: string;
  readonly french: string;
}

export const EDGE_REPLY_TEXTS = {
  /** A target the edge cannot route (escaped slashes, unparseable) or a header name with `_`. */
  malformed: {
    status: 400,
    error: 'invalid_request',
    english: 'Malformed request.',
    french: 'Requête mal formée.',
  },
  bodyTooLarge: {
    status: 413,
    error: 'invalid_request',
    english: 'Request body too large.',
    french: 'Corps de requête trop volumineux.',
  },
  edgeFailed: {
    status: 500,
    error: 'server_error',
    english: 'The edge failed.',
    french: 'La passerelle a échoué.',
  },
  /** The service answered something that is not HTTP, or reset the stream. */
  upstreamMisbehaved: {
    status: 502,
    error: 'server_error',
    english: 'The service answered incorrectly.',
    french: 'Le service a répondu de façon incorrecte.',
  },
  /** No healthy service, connection refused, circuit breaker open, or the edge overloaded. */
  upstreamUnavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    english: 'The service is unavailable.',
    french: 'Le service est indisponible.',
  },
  upstreamTimedOut: {
    status: 504,
    error: 'temporarily_unavailable',
    english: 'The service did not answer in time.',
    french: 'Le service n’a pas répondu à temps.',
  },
} as const satisfies Readonly<Record<string, EdgeReplyText>>;

export type EdgeReplyName = keyof typeof EDGE_REPLY_TEXTS | 'notFound';

/** The JSON body of a reply on an API path. */
export function jsonReplyBody(name: EdgeReplyName): string {
  if (name === 'notFound') return NOT_FOUND_BODY;
  const text = EDGE_REPLY_TEXTS[name];
  return JSON.stringify({ error: text.error, error_description: text.english });
}

/** The HTML body of a reply under a page route: French first (the pages' default), then English. */
export function htmlReplyBody(name: keyof typeof EDGE_REPLY_TEXTS): string {
  const { status, french, english } = EDGE_REPLY_TEXTS[name];
  return (
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${status}</title></head>` +
    `<body><h1>${french}</h1><p lang="en">${english}</p></body></html>`
  );
}
