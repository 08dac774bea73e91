import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import { listening, stop } from './edge.test-support.js';
import { forward } from './proxy.js';
import {
  cancelledSoon,
  SCRIPTED_ROUTE_TIMEOUT_SECONDS,
  useEdgesInFrontOfScriptedService,
} from './scripted-service.test-support.js';
import { createUpstreams } from './upstream-pools.js';

/* How the edge answers when the call to the service fails or the client leaves: 502, 503, 504, cancellation. */

const { holdFor, options, socketOf, through, throughPatient } = useEdgesInFrontOfScriptedService();

describe('local edge: when the call to the service fails', () => {
  it('answers 504 in JSON when the service does not answer within the route timeout', async () => {
    const started = performance.now();
    const reply = await through('silent');
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service did not answer in time.',
    });
    expect(elapsed).toBeGreaterThan(SCRIPTED_ROUTE_TIMEOUT_SECONDS * 1000 * 0.4);
  });

  it('cuts the client off when the service stalls mid-body beyond the route timeout', async () => {
    let firstChunk = '';
    await expect(
      through('stall-body', {
        onChunk: (chunk) => {
          firstChunk ||= chunk.toString('utf8');
        },
      }),
    ).rejects.toThrow(/aborted|ECONNRESET|socket hang up/);
    expect(firstChunk).toBe('part');
  });

  it('answers 503 when the service closes the connection without answering', async () => {
    const reply = await through('hang-up');
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('answers 502 server_error when the service answers something other than HTTP', async () => {
    const reply = await through('garbage');
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({
      error: 'server_error',
      error_description: 'The service answered incorrectly.',
    });
  });

  it('cancels the call to the service when the client leaves before the answer', async () => {
    const entry = holdFor('held-before-headers');
    const reply = throughPatient('held-before-headers', {
      onRequest: (request) => {
        void entry.received.then(() => request.destroy());
      },
    });
    await expect(reply).rejects.toThrow();
    expect(await cancelledSoon(entry)).toBe(true);
  });

  it('cancels the call to the service when the client leaves in the middle of the body', async () => {
    const entry = holdFor('held-mid-body');
    const reply = throughPatient('held-mid-body?after-headers', {
      onChunk: (_chunk, request) => request.destroy(),
    });
    await expect(reply).rejects.toThrow();
    expect(await cancelledSoon(entry)).toBe(true);
  });

  it('sends nothing to the service for a client that left before its request was forwarded', async () => {
    // Forwarded, its answer would be written to a closed response that never drains: the paused call
    // would hold its pooled connection for good (undici's body timeout does not run while paused).
    const upstreams = createUpstreams(options().upstreams, { routeTimeoutMs: 15_000, idleTimeoutMs: 4000 });
    const front = http.createServer();
    const forwarded = new Promise<number>((resolve, reject) => {
      front.once('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
        request.socket.destroy();
        response.once('close', () => {
          const target = { path: '/oauth2/register/big-after-leaving', search: '' };
          const request = { method: 'GET', target, headers: {}, body: Buffer.alloc(0) };
          const span = trace.getTracer('test').startSpan('test');
          forward(upstreams.of('registration'), request, response, span, undefined).then(resolve, reject);
        });
      });
    });
    try {
      http.get(await listening(front)).on('error', () => undefined);
      expect(await forwarded).toBe(503);
      expect(socketOf('big-after-leaving')).toBeUndefined();
    } finally {
      await upstreams.destroy();
      await stop(front);
    }
  });
});
