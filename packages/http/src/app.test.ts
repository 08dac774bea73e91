import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidGrantError } from '@psd2/oauth-errors';
import { createHttpApp } from './app.js';
import { acceptBody } from './body.js';
import { capturingLogger, expectGenericServerError } from './log-capture.test-support.js';
import { type RunningServer, startHttpServer } from './server.js';

const { logger, lines: logLines } = capturingLogger('http-test');

let redisUp = true;
let running: RunningServer;
/** The app's locals, where shutdown marks it draining. */
let appLocals: Record<string, unknown>;

beforeAll(async () => {
  const app = createHttpApp({
    logger,
    readiness: {
      redis: async () => {
        if (!redisUp) throw new Error('connection refused');
      },
    },
    routes: (router) => {
      router.post('/form', ...acceptBody('form'), (req, res) => {
        res.json({ received: req.body });
      });
      router.post('/json', ...acceptBody('json', { limit: '1kb' }), (req, res) => {
        res.json({ received: req.body });
      });
      router.get('/refused', () => {
        throw new InvalidGrantError({ detail: 'code abc was already redeemed' });
      });
      router.get('/crash', () => {
        throw new Error('secret internal detail at /srv/app.js:42');
      });
    },
  });
  appLocals = app.locals;
  running = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger, handleSignals: false });
});

afterAll(async () => {
  await running.shutdown('test end');
});

async function call(path: string, init?: RequestInit) {
  const response = await fetch(`${running.url}${path}`, init);
  const text = await response.text();
  return { response, text, json: (): Record<string, unknown> => JSON.parse(text) };
}

function post(
  path: string,
  contentType: string,
  body: NonNullable<RequestInit['body']>,
  headers: Record<string, string> = {},
) {
  return call(path, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
}

describe('createHttpApp', () => {
  it('answers /healthz', async () => {
    const { response, json } = await call('/healthz');
    expect(response.status).toBe(200);
    expect(json()).toEqual({ status: 'ok' });
  });

  it("stays ready with a dependency down, reporting it in the body (readiness is the pod's own state)", async () => {
    expect((await call('/readyz')).json()).toEqual({ status: 'ready', checks: { redis: 'up' } });
    redisUp = false;
    const down = await call('/readyz');
    redisUp = true;
    expect(down.response.status).toBe(200);
    expect(down.json()).toEqual({ status: 'ready', checks: { redis: 'down' } });
  });

  it('answers /readyz 503 while draining for shutdown', async () => {
    appLocals.draining = true;
    const draining = await call('/readyz');
    appLocals.draining = false;
    expect(draining.response.status).toBe(503);
    expect(draining.json()).toEqual({ status: 'shutting_down' });
  });

  it('answers an unknown route with a standard error JSON', async () => {
    const { response, json } = await call('/nope');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json()).toEqual({ error: 'invalid_request', error_description: 'No such endpoint.' });
  });

  it('refuses malformed JSON with invalid_request', async () => {
    const { response, json } = await post('/json', 'application/json', '{"redirect_uris": [');
    expect(response.status).toBe(400);
    expect(json()).toEqual({ error: 'invalid_request', error_description: 'The request body is malformed.' });
  });

  it.each([
    [
      'a body of the wrong media type before parsing it',
      '/form',
      'application/json',
      '{"grant_type":"client_credentials"}',
      415,
    ],
    [
      'a form body in an unsupported charset',
      '/form',
      'application/x-www-form-urlencoded; charset=ebcdic',
      'a=b',
      415,
    ],
    [
      'a body over the limit',
      '/json',
      'application/json',
      JSON.stringify({ padding: 'x'.repeat(2048) }),
      413,
    ],
  ])('refuses %s with invalid_request', async (_case, path, contentType, body, status) => {
    const { response, json } = await post(path, contentType, body);
    expect({ status: response.status, error: json().error }).toEqual({ status, error: 'invalid_request' });
  });

  it.each([
    ['gzip, compressed', 'gzip', gzipSync('a=b')],
    ['gzip, not compressed', 'gzip', Buffer.from('a=b')],
    ['deflate, not compressed', 'deflate', Buffer.from('a=b')],
    ['br, corrupt', 'br', Buffer.from([0xff, 0xfe, 0x00])],
    ['an unknown coding', 'bogus', Buffer.from('a=b')],
  ])(
    'refuses a content-coded body (%s) with 415 invalid_request, as the form endpoints do',
    async (_name, coding, bytes) => {
      for (const [path, type] of [
        ['/form', 'application/x-www-form-urlencoded'],
        ['/json', 'application/json'],
      ] as const) {
        const { response, json } = await post(path, type, bytes, { 'content-encoding': coding });
        expect({ path, status: response.status, error: json().error }).toEqual({
          path,
          status: 415,
          error: 'invalid_request',
        });
      }
    },
  );

  it('parses a well-formed form body', async () => {
    const { response, json } = await post(
      '/form',
      'application/x-www-form-urlencoded',
      'grant_type=client_credentials&scope=pisp+extra%2B',
    );
    expect(response.status).toBe(200);
    expect(json()).toEqual({ received: { grant_type: 'client_credentials', scope: 'pisp extra+' } });
  });

  it('gives a thrown OAuth error its status and a generic description; the detail goes to the log', async () => {
    const { response, json } = await call('/refused');
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The grant is invalid, expired, revoked or was issued to another client.',
    });
    expect(logLines.some((line) => line.detail === 'code abc was already redeemed')).toBe(true);
  });

  it('turns an unexpected exception into server_error without a stack trace', async () => {
    const { response, text } = await call('/crash');
    expectGenericServerError(response, text);
  });

  it('passes a well-formed x-request-id through and replaces a malformed one', async () => {
    const kept = await call('/healthz', { headers: { 'x-request-id': 'edge-1234' } });
    expect(kept.response.headers.get('x-request-id')).toBe('edge-1234');
    const replaced = await call('/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets helmet security headers and hides the framework', async () => {
    const { response } = await call('/healthz');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps successful probes out of the info-level access log', async () => {
    await call('/healthz', { headers: { 'x-request-id': 'probe-1' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logLines.some((entry) => entry.request_id === 'probe-1')).toBe(false);
  });

  it('writes one access-log line per request, without the query string', async () => {
    await post('/form?code=secret-code-value', 'application/x-www-form-urlencoded', 'a=b', {
      'x-request-id': 'log-check-1',
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logLines.find((entry) => entry.request_id === 'log-check-1' && entry.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'POST', path: '/form', status: 200 });
    expect(JSON.stringify(logLines)).not.toContain('secret-code-value');
  });
});
