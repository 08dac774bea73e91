import { describe, expect, it } from '@jest/globals';
import { EDGE_LIMITS, routesOf } from '@psd2/edge-config';
import { useEdgeInFrontOfEchoes } from './edge.test-support.js';

/* Which service a request reaches, and what of it arrives there. */

const { call, echoOf, echoes } = useEdgeInFrontOfEchoes();

describe('local edge: routing and forwarding', () => {
  it.each(
    routesOf('public')
      .filter((route) => route.service !== 'revocation')
      .map((route) => {
        const path = 'path' in route.match ? route.match.path : `${route.match.prefix}x`;
        return [path, route.service] as const;
      }),
  )('routes %s to %s', async (path, service) => {
    expect((await echoOf(path)).service).toBe(service);
  });

  it('answers an unknown path with an OAuth-shaped 404', async () => {
    const reply = await call('/admin');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 503 in JSON when the service is down', async () => {
    const reply = await call('/oauth2/revoke', { method: 'POST', body: 'token=x' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('keeps x-request-id and traceparent, and generates a request id when there is none', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = await echoOf('/oauth2/token', { headers: { 'x-request-id': 'req-123', traceparent } });
    expect(kept.headers['x-request-id']).toBe('req-123');
    expect(kept.headers.traceparent).toBe(traceparent);
    const generated = await echoOf('/oauth2/token');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('forwards the body, method and query, and strips hop-by-hop and x-envoy-* headers', async () => {
    const echo = await echoOf('/oauth2/token?a=1', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        connection: 'keep-alive, x-secret',
        'x-secret': 'hop',
        'x-envoy-original-path': '/evil',
      },
      body: 'grant_type=client_credentials&scope=pisp+x',
    });
    expect(echo).toMatchObject({ method: 'POST', url: '/oauth2/token?a=1' });
    expect(echo.body).toBe('grant_type=client_credentials&scope=pisp+x');
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.headers['x-secret']).toBeUndefined();
    expect(echo.headers['x-envoy-original-path']).toBeUndefined();
  });

  it("forwards the client's Host, and drops TE and Expect (the edge has read the whole body already)", async () => {
    const echo = await echoOf('/oauth2/token', {
      method: 'POST',
      headers: { host: 'bank.example', te: 'trailers', expect: '100-continue' },
      body: 'a=1',
    });
    expect(echo.headers.host).toBe('bank.example');
    expect(echo.headers.te).toBeUndefined();
    expect(echo.headers.expect).toBeUndefined();
    expect(echo.body).toBe('a=1');
  });

  it('sends content-length for a POST without a body, and none for a GET without one', async () => {
    const post = await echoOf('/oauth2/token', { method: 'POST' });
    expect(post.headers['content-length']).toBe('0');
    const get = await echoOf('/oauth2/token');
    expect(get.headers['content-length']).toBeUndefined();
    expect(get.headers['transfer-encoding']).toBeUndefined();
  });

  it('normalises paths as Envoy does, and refuses encoded slashes', async () => {
    expect((await echoOf('/oauth2//fr/../token')).url).toBe('/oauth2/token');
    expect((await call('/oauth2/register%2Fx')).status).toBe(400);
    // A target the URL parser cannot read at all is malformed too, never a 500.
    expect((await call('//[')).status).toBe(400);
    expect((await call('/oauth2/token', { headers: { x_forwarded_client_cert: 'x' } })).status).toBe(400);
  });

  it('refuses a body above the limit with 413 before calling the service', async () => {
    const before = echoes.get('token')?.connections ?? 0;
    const reply = await call('/oauth2/token', {
      method: 'POST',
      body: Buffer.alloc(EDGE_LIMITS.maxRequestBodyBytes + 1, 'a'),
    });
    expect(reply.status).toBe(413);
    expect(echoes.get('token')?.connections ?? 0).toBe(before);
  });

  it('reuses upstream connections (keep-alive)', async () => {
    const upstream = echoes.get('registration');
    await echoOf('/oauth2/register/warm-up');
    const before = upstream?.connections ?? 0;
    for (let i = 0; i < 5; i++) await echoOf(`/oauth2/register/client-${i}`);
    // HEAD included: its connection is kept like any other.
    for (let i = 0; i < 2; i++)
      expect((await call('/oauth2/register/head', { method: 'HEAD' })).status).toBe(200);
    await echoOf('/oauth2/register/after-head');
    expect(upstream?.connections ?? 0).toBe(before);
  });
});
