import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessDeniedError, InvalidClientError, InvalidGrantError, OAuthError } from '@psd2/oauth-errors';
import { z } from 'zod';
import { createHttpApp } from './app.js';
import { defineEndpoint } from './endpoint.js';
import { formSchema } from './endpoint-input.js';
import { empty, json, page, redirect, text } from './endpoint-result.js';
import { capturingLogger } from './log-capture.test-support.js';
import { type RunningServer, startHttpServer } from './server.js';

const { logger } = capturingLogger('endpoint-test');

/** An endpoint-specific refusal, as registration's invalid_client_metadata is. */
class InvalidThingError extends OAuthError {
  readonly code = 'invalid_request';
  constructor(detail: string) {
    super(400, 'The thing is not valid.', { detail });
  }
}

let running: RunningServer;
const steps: string[] = [];

beforeAll(async () => {
  const app = createHttpApp({
    logger,
    helmet: { contentSecurityPolicy: { directives: { 'default-src': ["'self'"] } } },
    renderPageError: (error, request) =>
      error instanceof AccessDeniedError
        ? redirect(303, `https://client.example/cb?error=access_denied`)
        : page(`<p>error ${request.requestId}</p>`, {
            status: error instanceof OAuthError ? error.status : 500,
          }),
    endpoints: [
      defineEndpoint({
        method: 'POST',
        path: '/form',
        accepts: 'form',
        response: 'api',
        input: { body: formSchema({ name: 'required', hint: 'optional' }) },
        handle: async ({ body }) => json({ name: body.name, hint: body.hint ?? null }),
      }),
      defineEndpoint({
        method: 'PUT',
        path: '/things/:id',
        accepts: 'json',
        response: 'api',
        bodyLimitBytes: 64,
        input: { params: z.object({ id: z.string().regex(/^\d+$/) }), body: z.object({ size: z.number() }) },
        invalidInput: (failure) => new InvalidThingError(failure.detail),
        caller: (request) => {
          steps.push('caller');
          if (request.headers.authorization !== 'Bearer ok') throw new InvalidClientError();
          return { who: 'ok' as const };
        },
        handle: async ({ params, body, caller }) =>
          json(
            { id: params.id, size: body.size, who: caller.who },
            { status: 201, headers: { Location: '/x' } },
          ),
      }),
      defineEndpoint({
        method: 'DELETE',
        path: '/things/:id',
        response: 'api',
        handle: async () => empty(204),
      }),
      defineEndpoint({
        method: 'GET',
        path: '/doc',
        response: 'api',
        handle: async () =>
          text('{"a":1}', 'application/json; charset=utf-8', {
            headers: { 'Cache-Control': 'public, max-age=300' },
          }),
      }),
      defineEndpoint({
        method: 'GET',
        path: '/page',
        response: 'page',
        input: { query: z.object({ fail: z.enum(['denied', 'grant']).optional() }) },
        handle: async ({ query }) => {
          if (query.fail === 'denied') throw new AccessDeniedError();
          if (query.fail === 'grant') throw new InvalidGrantError();
          return page('<p>hello</p>', {
            headers: { 'Content-Security-Policy': "default-src 'none'", 'Set-Cookie': ['a=1', 'b=2'] },
          });
        },
      }),
    ],
  });
  running = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger, handleSignals: false });
});

afterAll(async () => {
  await running.shutdown('test end');
});

async function call(path: string, init?: RequestInit) {
  const response = await fetch(`${running.url}${path}`, { redirect: 'manual', ...init });
  const body = await response.text();
  return { response, body, json: (): Record<string, unknown> => JSON.parse(body) };
}

const form = (body: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
});
const put = (body: string, headers: Record<string, string> = {}) => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ok', ...headers },
  body,
});

describe('an endpoint', () => {
  it('reads a form through its schema: unknown parameters ignored, empty ones absent', async () => {
    const { response, json } = await call('/form', form('name=a&hint=&extra=1'));
    expect(response.status).toBe(200);
    expect(json()).toEqual({ name: 'a', hint: null });
  });

  it.each([
    ['missing', 'hint=x', 'The name parameter is missing.'],
    ['repeated', 'name=a&name=b', 'The name parameter is repeated.'],
  ])('refuses a %s form parameter with invalid_request in the schema words', async (_n, body, text) => {
    const { response, json } = await call('/form', form(body));
    expect(response.status).toBe(400);
    expect(json()).toEqual({ error: 'invalid_request', error_description: text });
  });

  it('refuses another media type with 415, on the fast path and through express', async () => {
    const fast = await call('/form', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    const routed = await call(
      '/things/1',
      put('name=a', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    for (const { response, json } of [fast, routed]) {
      expect(response.status).toBe(415);
      expect(json().error).toBe('invalid_request');
    }
  });

  it('maps refused input to the error the endpoint chose; params, body and size alike', async () => {
    const params = await call('/things/abc', put('{"size":1}'));
    const body = await call('/things/1', put('{"size":"big"}'));
    expect([params.response.status, params.json().error_description]).toEqual([
      400,
      'The thing is not valid.',
    ]);
    expect([body.response.status, body.json().error_description]).toEqual([400, 'The thing is not valid.']);
    expect(
      (await call('/things/1', put(JSON.stringify({ size: 1, pad: 'x'.repeat(80) })))).response.status,
    ).toBe(413);
  });

  it('checks the caller before reading the body, and hands the handler typed input', async () => {
    steps.length = 0;
    const refused = await call('/things/1', put('not json', { authorization: 'Bearer no' }));
    expect(refused.response.status).toBe(401);
    expect(refused.json().error).toBe('invalid_client');
    const created = await call('/things/7', put('{"size":3}'));
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('location')).toBe('/x');
    expect(created.json()).toEqual({ id: '7', size: 3, who: 'ok' });
    expect(steps).toEqual(['caller', 'caller']);
  });

  it('answers an empty result with its status and no body', async () => {
    const { response, body } = await call('/things/1', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(body).toBe('');
  });

  it('sends the API security headers on API answers; a result may choose its own caching', async () => {
    const answered = (await call('/form', form('name=a'))).response;
    expect(answered.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(answered.headers.get('x-frame-options')).toBe('DENY');
    expect(answered.headers.get('cache-control')).toBe('no-store');
    expect(answered.headers.get('pragma')).toBe('no-cache');
    expect(answered.headers.get('cross-origin-opener-policy')).toBeNull();
    const doc = await call('/doc');
    expect(doc.body).toBe('{"a":1}');
    expect(doc.response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(doc.response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(doc.response.headers.get('pragma')).toBeNull();
  });

  it("sends helmet's headers on pages, with the page's own CSP and cookies", async () => {
    const { response, body } = await call('/page');
    expect(response.status).toBe(200);
    expect(body).toBe('<p>hello</p>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it("renders a page's errors with the service's renderer: a page, or a redirect", async () => {
    const failed = await call('/page?fail=grant', { headers: { 'x-request-id': 'page-error-1' } });
    expect(failed.response.status).toBe(400);
    expect(failed.body).toBe('<p>error page-error-1</p>');
    expect(failed.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const redirected = await call('/page?fail=denied');
    expect(redirected.response.status).toBe(303);
    expect(redirected.response.headers.get('location')).toBe('https://client.example/cb?error=access_denied');
    const malformed = await call('/page?fail=other');
    expect(malformed.response.status).toBe(400);
    expect(malformed.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
