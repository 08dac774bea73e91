import type http from 'node:http';
import type { Dispatcher } from 'undici';
import { connectionOptions, staysOnThisHop } from './hop-by-hop.js';

/**
 * Fields Node's http client keeps only the first of when a response repeats them. The edge passed
 * responses on as that client presented them, and still does: undici keeps every repetition instead.
 */
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** A repeated field as Node's IncomingMessage joins it: set-cookie line by line, cookie with `; `, lists with `, `. */
function folded(name: string, values: string[]): string | string[] {
  if (name === 'set-cookie') return values;
  if (FIRST_ONLY.has(name)) return values[0] ?? '';
  return values.join(name === 'cookie' ? '; ' : ', ');
}

/** The service's response fields that go on to the client. */
export function clientResponseHeaders(headers: Dispatcher.ResponseData['headers']): http.OutgoingHttpHeaders {
  const listed = connectionOptions(headers.connection);
  const forwarded: http.OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || staysOnThisHop(name, listed)) continue;
    forwarded[name] = Array.isArray(value) ? folded(name, value) : value;
  }
  return forwarded;
}
