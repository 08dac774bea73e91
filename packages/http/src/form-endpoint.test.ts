import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidGrantError } from '@psd2/oauth-errors';
import { createHttpApp } from './app.js';
import { BODY_LIMITS } from './body.js';
import { defineEndpoint } from './endpoint.js';
import { formSchema } from './endpoint-input.js';
import { json } from './endpoint-result.js';
import type { FormBody } from './form.js';
import { parseForm } from './form-endpoint.js';
import { capturingLogger, expectGenericServerError } from './log-capture.test-support.js';
import { type RunningServer, startHttpServer } from './server.js';

const { logger, lines: logLines } = capturingLogger('form-endpoint-test');

let running: RunningServer;

beforeAll(async () => {
  const formPost = { method: 'POST', accepts: 'form', response: 'api' } as const;
  const app = createHttpApp({
    logger,
    endpoints: [
      defineEndpoint({
        ...formPost,
        path: '/echo',
        handle: async ({ body, fields, fromEdge }) => {
          fields.client_id = 'client-1';
          return json({ received: { ...(body as FormBody) }, fromEdge });
        },
      }),
      defineEndpoint({
        ...formPost,
        path: '/refuse',
        input: { body: formSchema({ grant_type: 'optional' }) },
        handle: async () => {
          throw new InvalidGrantError({ detail: 'code abc was already redeemed' });
        },
      }),
      defineEndpoint({
        ...formPost,
        path: '/log',
        handle: async (request) => {
          request.log.info({ step: 'handler' }, 'handler line');
          // No getter of its own: see RequestLogEntry (request-context.ts) on getters in per-request literals.
          return json({ ownLog: Object.getOwnPropertyDescriptor(request, 'log') !== undefined });
        },
      }),
      defineEndpoint({
        ...formPost,
        path: '/crash',
        handle: async () => {
          throw new Error('secret internal detail at /srv/app.js:42');
        },
      }),
    ],
    routes: (router) => {
      router.get('/express', (_req, res) => {
        res.json({ via: 'express' });
      });
    },
  });
  running = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger, handleSignals: false });
});

afterAll(async () => {
  await running.shutdown('test end');
});

async function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(`${running.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await response.text();
  return { response, text, json: (): Record<string, unknown> => JSON.parse(text) };
}

const waitForLogs = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('form endpoints', () => {
  it('answer the handler result as JSON that is never cached', async () => {
    const { response, json } = await post('/echo', 'grant_type=client_credentials&scope=pisp+extra%2B');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(json()).toEqual({
      received: { grant_type: 'client_credentials', scope: 'pisp extra+' },
      fromEdge: false,
    });
  });

  it('send the API security headers, on answers and refusals alike', async () => {
    const answered = (await post('/echo', 'a=b')).response;
    const refused = (await post('/refuse', 'grant_type=x')).response;
    for (const response of [answered, refused]) {
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('ignore the query string, and leave other methods and paths to express', async () => {
    expect((await post('/echo?x=1', 'a=b')).response.status).toBe(200);
    const get = await fetch(`${running.url}/echo`);
    expect(get.status).toBe(404);
    expect(await get.json()).toEqual({ error: 'invalid_request', error_description: 'No such endpoint.' });
    expect((await post('/echo/', 'a=b')).response.status).toBe(404);
    expect((await fetch(`${running.url}/express`)).status).toBe(200);
  });

  it('keep repeated parameters as lists, for the form schemas to refuse', async () => {
    expect((await post('/echo', 'scope=a&scope=b')).json().received).toEqual({ scope: ['a', 'b'] });
    const refused = await post('/refuse', 'grant_type=a&grant_type=b');
    expect(refused.response.status).toBe(400);
    expect(refused.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The grant_type parameter is repeated.',
    });
  });

  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, '{"a":"b"}'],
    ['no media type', { 'content-type': '' }, 'a=b'],
    [
      'a form in another charset',
      { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
      'a=b',
    ],
  ])('refuse %s with 415 invalid_request', async (_name, headers, body) => {
    const { response, json } = await post('/echo', body, headers);
    expect(response.status).toBe(415);
    expect(json().error).toBe('invalid_request');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('accept an explicit UTF-8 charset, quoted or not, in any case', async () => {
    for (const contentType of [
      'application/x-www-form-urlencoded; charset=UTF-8',
      'Application/X-WWW-Form-Urlencoded;charset="utf-8"',
    ]) {
      const { response, json } = await post('/echo', 'name=%C3%A9', { 'content-type': contentType });
      expect(response.status).toBe(200);
      expect(json().received).toEqual({ name: 'é' });
    }
  });

  it('refuse a content-coded body with 415', async () => {
    const { response, json } = await post('/echo', gzipSync('a=b'), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(415);
    expect(json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body encoding is not supported.',
    });
  });

  it('refuse a body over the limit, or too many parameters, with 413', async () => {
    const large = await post('/echo', `a=${'x'.repeat(BODY_LIMITS.bytes)}`);
    expect(large.response.status).toBe(413);
    expect(large.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large.',
    });
    const many = await post(
      '/echo',
      Array.from({ length: BODY_LIMITS.parameters + 1 }, (_, i) => `p${i}=1`).join('&'),
    );
    expect(many.response.status).toBe(413);
    expect(many.json().error_description).toBe('The request has too many parameters.');
    // The connection is still usable afterwards.
    expect((await post('/echo', 'a=b')).response.status).toBe(200);
  });

  it('give a thrown OAuth error its status and generic description; the detail goes to the log', async () => {
    const { response, json } = await post('/refuse', 'grant_type=authorization_code', {
      'x-request-id': 'refusal-1',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toBe('refusal-1');
    expect(json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The grant is invalid, expired, revoked or was issued to another client.',
    });
    await waitForLogs();
    expect(logLines).toContainEqual(
      expect.objectContaining({ request_id: 'refusal-1', detail: 'code abc was already redeemed' }),
    );
    expect(logLines).toContainEqual(
      expect.objectContaining({
        request_id: 'refusal-1',
        msg: 'request',
        status: 400,
        error: 'invalid_grant',
      }),
    );
  });

  it('turn an unexpected exception into server_error without a stack trace', async () => {
    const { response, text } = await post('/crash', 'a=b');
    expectGenericServerError(response, text);
  });

  it('write one access-log line with the handler fields, without the query string', async () => {
    await post('/echo?code=secret-code-value', 'a=b', { 'x-request-id': 'form-log-1' });
    await waitForLogs();
    const lines = logLines.filter((entry) => entry.request_id === 'form-log-1' && entry.msg === 'request');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'POST',
        path: '/echo',
        status: 200,
        client_id: 'client-1',
      }),
    ]);
    expect(JSON.stringify(logLines)).not.toContain('secret-code-value');
  });
});

describe("a handler's request", () => {
  it('gives a logger bound to the request id, from an ordinary object with no getter of its own', async () => {
    const { json } = await post('/log', 'a=b', { 'x-request-id': 'form-log-2' });
    expect(json()).toEqual({ ownLog: false });
    await waitForLogs();
    expect(logLines.filter((entry) => entry.request_id === 'form-log-2').map((entry) => entry.msg)).toEqual([
      'handler line',
      'request',
    ]);
  });
});

describe('parseForm', () => {
  it('decodes as the URL Standard does and keeps prototype names as plain parameters', () => {
    const form = parseForm('a=1+2&b=%2B&__proto__=x&constructor=y&empty=&flag');
    expect({ ...form }).toEqual({
      a: '1 2',
      b: '+',
      ['__proto__']: 'x',
      constructor: 'y',
      empty: '',
      flag: '',
    });
    expect(Object.getPrototypeOf(form)).toBeNull();
  });

  it('reads an empty body as no parameters', () => {
    expect({ ...parseForm('') }).toEqual({});
  });
});
