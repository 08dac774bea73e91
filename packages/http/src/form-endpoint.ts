import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@psd2/logging';
import { InvalidRequestError } from '@psd2/oauth-errors';
import { BODY_LIMITS, wrongMediaType } from './body.js';
import { oauthErrorResponse } from './errors.js';
import type { FormBody } from './form.js';
import { beginRequestLog, type RequestLog } from './request-context.js';
import { traceRequest } from './tracing.js';

/*
 * The token and introspection endpoints are the hot path of the whole server: every TPP call to the
 * bank's PSD2 API starts with one or the other. Through express (router, prototype swaps, helmet's
 * chain, body-parser) a request cost about 170 µs of CPU before the handler ran, several times the
 * handler's own work (bench/README.md). These endpoints take one form body and answer JSON, so they
 * are served here without express, by the same pieces express routes use: the request's span
 * (traceRequest), its id, logger and access-log line (beginRequestLog), and the one OAuth error
 * mapping (oauthErrorResponse).
 */

/**
 * The security headers of an API response, as the OWASP REST Security Cheat Sheet lists them: no
 * caching of credentials (with RFC 6749 §5.1's Pragma), no rendering or framing should a browser ever
 * load the response, HTTPS only. helmet's other defaults (COOP, CORP, Origin-Agent-Cluster,
 * Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies,
 * X-XSS-Protection) govern documents a browser renders or no-cors GETs it embeds; these endpoints
 * answer POSTs from TPP servers. Each of those eight headers cost about 4 µs per request between
 * the service and the edge (bench/README.md).
 */
export const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/** What a form endpoint's handler sees of its request. */
export interface FormRequest {
  /** The parsed `application/x-www-form-urlencoded` body; repeated names are arrays. */
  readonly body: FormBody;
  readonly headers: IncomingHttpHeaders;
  /** The TCP peer: who actually sent the request (the edge, for XFCC trust). */
  readonly remoteAddress: string | undefined;
  /** The request's logger, bound to its request id (made on first use: read it only to log). */
  readonly log: Logger;
  /** Fields for the request's access-log line and span (client_id, organization_id, grant_type). */
  readonly fields: Record<string, string>;
}

/** A class, for its prototype getter: see RequestLogEntry (request-context.ts) on getters in literals. */
class FormRequestOf implements FormRequest {
  constructor(
    readonly body: FormBody,
    readonly headers: IncomingHttpHeaders,
    readonly remoteAddress: string | undefined,
    private readonly requestLog: RequestLog,
  ) {}

  get log(): Logger {
    return this.requestLog.log;
  }

  get fields(): Record<string, string> {
    return this.requestLog.fields;
  }
}

/**
 * `POST <path>` with a form body, answered with the JSON object the handler returns (200) or the
 * OAuth error it throws. Responses are never cached: they carry or refuse credentials (RFC 6749
 * §5.1, RFC 7662 §4).
 */
export interface FormEndpoint {
  readonly path: string;
  readonly handle: (request: FormRequest) => Promise<object>;
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** 415 for a form in another charset or content coding; `detail` (for the log) says which. */
function unsupportedEncoding(detail: string): InvalidRequestError {
  return new InvalidRequestError({
    status: 415,
    description: 'The request body encoding is not supported.',
    detail,
  });
}

/**
 * RFC 7231 §3.1.1.1 media type with parameters. The body must be a form in UTF-8 (the charset
 * parameter may say so or be absent), and not content-coded: a token request is a few hundred bytes.
 */
function checkMediaType(headers: IncomingHttpHeaders): void {
  const contentType = headers['content-type'];
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== FORM_MEDIA_TYPE) {
    throw wrongMediaType(FORM_MEDIA_TYPE, contentType);
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2);
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') throw unsupportedEncoding(`charset ${charset}`);
  }
  const coding = headers['content-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
    throw unsupportedEncoding(`content-encoding ${coding}`);
  }
}

const TOO_LARGE = () =>
  new InvalidRequestError({ status: 413, description: 'The request body is too large.' });

/** The whole body, refused above the limit as soon as the declared or received length passes it. */
function readBody(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMITS.bytes) {
    req.resume();
    return Promise.reject(TOO_LARGE());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMITS.bytes) {
        req.off('data', onData);
        req.resume();
        reject(TOO_LARGE());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      resolve(body.toString('utf8'));
    });
    req.once('error', () =>
      reject(new InvalidRequestError({ description: 'The request body could not be read.' })),
    );
  });
}

/**
 * application/x-www-form-urlencoded as the URL Standard parses it (`+` is a space, percent-escapes are
 * UTF-8). Repeated names become arrays, so that formParam can refuse them (RFC 6749 §3.2). The record
 * has no prototype: a parameter named `__proto__` or `constructor` is just a parameter.
 */
export function parseForm(text: string): FormBody {
  const form: Record<string, string | string[]> = Object.create(null);
  if (text === '') return form;
  let count = 1;
  for (let index = text.indexOf('&'); index !== -1; index = text.indexOf('&', index + 1)) {
    count += 1;
    if (count > BODY_LIMITS.parameters) {
      throw new InvalidRequestError({ status: 413, description: 'The request has too many parameters.' });
    }
  }
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = form[name];
    if (existing === undefined) form[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[name] = [existing, value];
  }
  return form;
}

/**
 * The whole response in one writeHead: with no header set before, Node takes the list as it is
 * instead of building its header map one setHeader at a time.
 */
function send(
  res: ServerResponse,
  status: number,
  headers: ReadonlyArray<readonly [string, string]>,
  requestId: string,
  body: object,
): void {
  const json = JSON.stringify(body);
  const lines: string[] = [];
  for (const [name, value] of headers) lines.push(name, value);
  lines.push(
    'X-Request-Id',
    requestId,
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(json)),
  );
  res.writeHead(status, lines);
  res.end(json);
}

/**
 * A request listener for the given endpoints. It answers `POST` to exactly their paths (query string
 * ignored) and returns true; for anything else it returns false and leaves the request to express.
 */
export function formEndpointListener(options: {
  readonly endpoints: readonly FormEndpoint[];
  readonly logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const byPath = new Map(options.endpoints.map((endpoint) => [endpoint.path, endpoint]));

  async function serve(endpoint: FormEndpoint, req: IncomingMessage, res: ServerResponse) {
    const request = beginRequestLog(options.logger, req, res, endpoint.path);
    let status = 200;
    let headers: ReadonlyArray<readonly [string, string]> = API_SECURITY_HEADERS;
    let body: object;
    try {
      checkMediaType(req.headers);
      body = await endpoint.handle(
        new FormRequestOf(parseForm(await readBody(req)), req.headers, req.socket.remoteAddress, request),
      );
    } catch (error) {
      const response = oauthErrorResponse(error, request);
      status = response.status;
      // The error's own headers (WWW-Authenticate) replace none of these: serializeOAuthError sets the
      // same no-store pair.
      headers = [
        ...API_SECURITY_HEADERS.filter(([name]) => !Object.hasOwn(response.headers, name)),
        ...Object.entries(response.headers),
      ];
      body = response.body;
      // A refusal before the body was read (wrong media type, too large) must not leave it unread.
      if (!req.complete) req.resume();
    }
    request.annotate(endpoint.path);
    send(res, status, headers, request.requestId, body);
  }

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const endpoint = byPath.get(path);
    if (endpoint === undefined) return false;
    traceRequest(req, res, path, () => {
      serve(endpoint, req, res).catch((error: unknown) => {
        // Only a failure to write the response lands here; the socket is all that is left to close.
        options.logger.error({ err: error }, 'form endpoint failed to answer');
        res.destroy();
      });
    });
    return true;
  };
}
