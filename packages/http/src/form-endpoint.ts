import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@psd2/logging';
import { InvalidRequestError } from '@psd2/oauth-errors';
import { BODY_LIMITS, wrongMediaType } from './body.js';
import { isEdgeConnection } from './edge-connection.js';
import type { Endpoint } from './endpoint.js';
import { EndpointCall } from './endpoint-call.js';
import { writeResult } from './endpoint-result.js';
import { resultOf } from './endpoint-serve.js';
import type { FormBody } from './form.js';
import { beginRequestLog, type RequestLog } from './request-context.js';
import { traceRequest } from './tracing.js';

/*
 * The token and introspection endpoints are the hot path of the whole server: every TPP call to the
 * bank's PSD2 API starts with one or the other. Through express (router, prototype swaps, helmet's
 * chain, body-parser) a request cost about 170 µs of CPU before the handler ran, several times the
 * handler's own work (bench/README.md). These endpoints take one form body and answer JSON, so they
 * are served here without express, by the same pieces express routes use: the request's span
 * (traceRequest), its id, logger and access-log line (beginRequestLog), and serveEndpoint (the
 * endpoint's steps, the one OAuth error mapping, the one response writer).
 */

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
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.reject(TOO_LARGE());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
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
 * UTF-8). Repeated names become arrays, so that formSchema can refuse them (RFC 6749 §3.2). The record
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

/** A request on the fast path: its body is read by the form rules above. */
class FastFormCall extends EndpointCall {
  constructor(
    private readonly req: IncomingMessage,
    readonly path: string,
    requestLog: RequestLog,
    private readonly limit: number,
  ) {
    super(requestLog);
  }

  get method(): string {
    return 'POST';
  }
  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
  get fromEdge(): boolean {
    return isEdgeConnection(this.req.socket);
  }
  get clientAddress(): undefined {
    return undefined;
  }
  get rawParams(): Readonly<Record<string, string>> {
    return EMPTY;
  }
  get rawQuery(): unknown {
    return EMPTY;
  }

  readBody(): Promise<FormBody> {
    checkMediaType(this.req.headers);
    return readBody(this.req, this.limit).then(parseForm);
  }
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/** Endpoints the fast path can serve: `POST`, a form body, a JSON answer, a path without parameters. */
export function servesFast(endpoint: Endpoint): boolean {
  return (
    endpoint.method === 'POST' &&
    endpoint.accepts === 'form' &&
    endpoint.response === 'api' &&
    !endpoint.path.includes(':') &&
    !endpoint.path.includes('*')
  );
}

/**
 * A request listener for the given endpoints. It answers `POST` to exactly their paths (query string
 * ignored) and returns true; for anything else it returns false and leaves the request to express.
 */
export function formEndpointListener(options: {
  readonly endpoints: readonly Endpoint[];
  readonly logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const byPath = new Map(options.endpoints.map((endpoint) => [endpoint.path, endpoint]));

  async function serve(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse) {
    const requestLog = beginRequestLog(options.logger, req, res, endpoint.path);
    const call = new FastFormCall(
      req,
      endpoint.path,
      requestLog,
      endpoint.bodyLimitBytes ?? BODY_LIMITS.bytes,
    );
    const result = await resultOf(endpoint, call, undefined);
    // A refusal before the body was read (wrong media type, too large) must not leave it unread.
    if (!req.complete) req.resume();
    requestLog.annotate(endpoint.path);
    writeResult(res, 'api', requestLog.requestId, result);
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
