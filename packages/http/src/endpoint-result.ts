import type { ServerResponse } from 'node:http';
import { API_SECURITY_HEADERS } from './security-headers.js';

/** Response headers a handler adds; an array value repeats the header (Set-Cookie). */
export type ResultHeaders = Readonly<Record<string, string | readonly string[]>>;

/** A JSON document (`application/json; charset=utf-8`). */
export interface JsonResult {
  readonly kind: 'json';
  readonly status: number;
  readonly headers?: ResultHeaders;
  readonly body: unknown;
}

/** An HTML page (`text/html; charset=utf-8`), never cached unless its headers say otherwise. */
export interface PageResult {
  readonly kind: 'page';
  readonly status: number;
  readonly headers?: ResultHeaders;
  readonly html: string;
}

/** A redirect: 303 after a form post, 302 for a GET (RFC 6749 §4.1.2 leaves the code to the server). */
export interface RedirectResult {
  readonly kind: 'redirect';
  readonly status: 302 | 303;
  readonly location: string;
  readonly headers?: ResultHeaders;
}

/** A status without a body (RFC 7009's 200, RFC 7592's 204). */
export interface EmptyResult {
  readonly kind: 'empty';
  readonly status: number;
  readonly headers?: ResultHeaders;
}

/** A body already serialised once at start-up (the OpenAPI document, a stylesheet). */
export interface TextResult {
  readonly kind: 'text';
  readonly status: number;
  readonly contentType: string;
  readonly headers?: ResultHeaders;
  readonly body: string;
}

export type EndpointResult = JsonResult | PageResult | RedirectResult | EmptyResult | TextResult;

export function json(body: unknown, options: { status?: number; headers?: ResultHeaders } = {}): JsonResult {
  return { kind: 'json', status: options.status ?? 200, body, ...headersOf(options) };
}

export function page(html: string, options: { status?: number; headers?: ResultHeaders } = {}): PageResult {
  return { kind: 'page', status: options.status ?? 200, html, ...headersOf(options) };
}

export function redirect(status: 302 | 303, location: string, headers?: ResultHeaders): RedirectResult {
  return { kind: 'redirect', status, location, ...(headers === undefined ? {} : { headers }) };
}

export function empty(status: number, headers?: ResultHeaders): EmptyResult {
  return { kind: 'empty', status, ...(headers === undefined ? {} : { headers }) };
}

export function text(
  body: string,
  contentType: string,
  options: { status?: number; headers?: ResultHeaders } = {},
): TextResult {
  return { kind: 'text', status: options.status ?? 200, contentType, body, ...headersOf(options) };
}

function headersOf(options: { headers?: ResultHeaders }): { headers?: ResultHeaders } {
  return options.headers === undefined ? {} : { headers: options.headers };
}

/** What a kind of response carries before the result's own headers (which replace these by name). */
export type ResponseKind = 'api' | 'page';

const PAGE_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
];

function hasHeader(headers: ResultHeaders | undefined, name: string): boolean {
  if (headers === undefined) return false;
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return true;
  return false;
}

/**
 * The response's defaults for its kind: API responses carry API_SECURITY_HEADERS (helmet's set went
 * on pages earlier, by setHeader, and writeHead's list replaces it name by name). A result that sets
 * its own Cache-Control (public metadata) drops the defaults' Pragma with it.
 */
function defaultsFor(kind: ResponseKind): ReadonlyArray<readonly [string, string]> {
  return kind === 'api' ? API_SECURITY_HEADERS : PAGE_DEFAULTS;
}

/** The defaults of each kind as writeHead's flat list, for the common result without headers of its own. */
const DEFAULT_LINES: Readonly<Record<ResponseKind, readonly string[]>> = {
  api: API_SECURITY_HEADERS.flat(),
  page: PAGE_DEFAULTS.flat(),
};

function bodyOf(result: EndpointResult): { contentType?: string; body: string } {
  switch (result.kind) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(result.body) };
    case 'page':
      return { contentType: 'text/html; charset=utf-8', body: result.html };
    case 'text':
      return { contentType: result.contentType, body: result.body };
    default:
      return { body: '' };
  }
}

/**
 * The whole response in one writeHead: with no header set before (the form fast path), Node takes the
 * list as it is instead of building its header map one setHeader at a time; after setHeader calls
 * (express, helmet), a name in the list replaces the earlier value.
 */
export function writeResult(
  res: ServerResponse,
  kind: ResponseKind,
  requestId: string,
  result: EndpointResult,
): void {
  const { contentType, body } = bodyOf(result);
  const own = result.headers;
  const lines: Array<string | string[]> = own === undefined ? DEFAULT_LINES[kind].slice() : [];
  if (own !== undefined) {
    const ownCaching = hasHeader(own, 'Cache-Control');
    for (const [name, value] of defaultsFor(kind)) {
      if (hasHeader(own, name) || (ownCaching && name === 'Pragma')) continue;
      lines.push(name, value);
    }
    for (const name in own) {
      const value = own[name] as string | readonly string[];
      // One entry per name: after setHeader calls Node 20 sets each pair in turn, the last one winning.
      lines.push(name, typeof value === 'string' ? value : [...value]);
    }
  }
  if (result.kind === 'redirect') lines.push('Location', result.location);
  lines.push('X-Request-Id', requestId);
  if (contentType !== undefined) lines.push('Content-Type', contentType);
  lines.push('Content-Length', String(Buffer.byteLength(body)));
  res.writeHead(result.status, lines);
  res.end(body);
}
