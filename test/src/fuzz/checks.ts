import { headerOf, type WireResponse } from './transport.js';

/*
 * The properties every fuzz response must have. A failure has a class (what kind of wrong) so that a
 * run reports each distinct bug once with its first counter-example, not a thousand times.
 */

/**
 * What a path answers in: pages for a PSU's browser under a language prefix; the API documentation
 * page and its files (HTML, CSS, JavaScript) under /oauth2/docs, with JSON errors; RFC 6749-style
 * JSON elsewhere.
 */
export type ResponseKind = 'json' | 'page' | 'docs';

export function responseKindOf(target: string): ResponseKind {
  // The edge routes on the path with dot segments removed, as URL parsing does.
  const path = new URL(target, 'https://edge.invalid').pathname;
  if (/^\/oauth2\/docs(?:\/|$)/.test(path)) return 'docs';
  return /^\/oauth2\/(?:fr|en)\//.test(path) ? 'page' : 'json';
}

const DOCS_TYPES = /^(?:text\/html|text\/css|text\/javascript)\b/;

/**
 * The edge's own refusals, made before any route or service is chosen, are the same on every path:
 * an empty 431 from the HTTP parser (headers over the limit), and its JSON 400 (malformed request),
 * 413 (body over the limit) and 404 (no route). A PSU never meets them from a real page; they are
 * accepted on page paths too (docs/fuzzing.md).
 */
const EDGE_REFUSALS = new Set(['Malformed request.', 'Request body too large.', 'No such endpoint.']);

export function isEdgeRefusal(response: WireResponse): boolean {
  if (response.status === 431 && response.body === '') return true;
  const described = /^\{"error":"invalid_request","error_description":"([^"]*)"\}$/.exec(response.body)?.[1];
  return [400, 404, 413].includes(response.status) && described !== undefined && EDGE_REFUSALS.has(described);
}

/** The error codes of RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1 and RFC 7591 §3.2.2: nothing else. */
export const OAUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'unsupported_token_type',
  'invalid_scope',
  'invalid_token',
  'insufficient_scope',
  'access_denied',
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'invalid_software_statement',
  'unapproved_software_statement',
  'invalid_authorization_details',
  'invalid_request_uri',
  'temporarily_unavailable',
]);

export type FailureClass =
  | 'status-5xx'
  | 'no-response'
  | 'stack-trace'
  | 'not-json'
  | 'unknown-error-code'
  | 'not-html'
  | 'redirect-without-location'
  /** An endpoint's own property (FuzzEndpoint.check), e.g. an unknown documentation file not a 404. */
  | 'unexpected-status';

export interface Failure {
  readonly failure: FailureClass;
  readonly detail: string;
}

/** Traces of a stack or of the source tree in a body: frames, file positions, module paths. */
const STACK_TRACE =
  /\n\s+at [^\n]+[(:]\d+|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)|node_modules\/|\/(?:src|dist)\/[\w/-]+\.[jt]s\b/;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Every property a response must have; an empty list when it has them all. */
export function checkResponse(pathKind: ResponseKind, method: string, response: WireResponse): Failure[] {
  const failures: Failure[] = [];
  const { status, body } = response;
  if (status >= 500) failures.push({ failure: 'status-5xx', detail: `${status}` });
  // The documentation's own files are swagger-ui-dist's, served as they are (module paths and all).
  const documentFile = pathKind === 'docs' && status < 300;
  if (!documentFile && STACK_TRACE.test(body))
    failures.push({ failure: 'stack-trace', detail: body.slice(0, 300) });
  const type = headerOf(response, 'content-type').toLowerCase();
  if (status >= 300 && status < 400) {
    if (headerOf(response, 'location') === '' && status !== 304)
      failures.push({ failure: 'redirect-without-location', detail: `${status}` });
    return failures;
  }
  // HTTP's own answer to OPTIONS lists the methods (RFC 9110 §9.3.7); HEAD has no body to check.
  if ((method === 'OPTIONS' && status < 400) || method === 'HEAD') return failures;
  if (isEdgeRefusal(response)) return failures;
  // RFC 6750 §3.1: a request without any authentication gets the challenge alone, no error code.
  if (status === 401 && body === '' && headerOf(response, 'www-authenticate').startsWith('Bearer'))
    return failures;
  const isJson = type.startsWith('application/json');
  if (documentFile) {
    if (!DOCS_TYPES.test(type))
      failures.push({ failure: 'not-html', detail: `${status} ${type || '(no content-type)'}` });
    return failures;
  }
  // The documentation's errors are the API's: JSON with a standard code.
  const kind = pathKind === 'docs' ? 'json' : pathKind;
  if (
    kind === 'page' &&
    status !== 204 &&
    body !== '' &&
    !type.startsWith('text/html') &&
    !type.startsWith('text/css')
  ) {
    failures.push({ failure: 'not-html', detail: `${status} ${type || '(no content-type)'}` });
  }
  if (kind === 'json' && body !== '') {
    const value = parseJson(body);
    if (!isJson || value === undefined) {
      failures.push({
        failure: 'not-json',
        detail: `${status} ${type || '(no content-type)'} ${body.slice(0, 80)}`,
      });
    } else if (status >= 400 && status < 500) {
      const code = typeof value === 'object' && value !== null ? Reflect.get(value, 'error') : undefined;
      if (typeof code !== 'string' || !OAUTH_ERROR_CODES.has(code))
        failures.push({ failure: 'unknown-error-code', detail: `${status} error=${JSON.stringify(code)}` });
    }
  }
  if (kind === 'json' && body === '' && status >= 400) {
    failures.push({ failure: 'not-json', detail: `${status} with an empty body` });
  }
  return failures;
}
