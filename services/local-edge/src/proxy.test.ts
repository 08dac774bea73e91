import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { startLocalEdge } from './edge.js';
import { useEdgesInFrontOfScriptedService } from './scripted-service.test-support.js';
import { UPSTREAM_IDLE_TIMEOUT_MS } from './upstream-pools.js';

/* What the edge passes on from the service's answer, and how it keeps its connections to the service. */

const { call, holdFor, options, socketOf, through, throughPatient } = useEdgesInFrontOfScriptedService();

describe("local edge: proxying the service's answer", () => {
  it('streams the body: the client has the first part before the service sends the rest', async () => {
    const entry = holdFor('held-streamed');
    const reply = await throughPatient('held-streamed?after-headers', {
      onChunk: () => entry.release(),
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('firstsecond');
    expect(await entry.cancelled).toBe(false);
  });

  it('passes a large body through intact', async () => {
    const reply = await through('big');
    expect(reply.text).toBe('b'.repeat(1024 * 1024));
  });

  it('copies response headers as before: repeated fields joined or first kept, set-cookie one line each, hop-by-hop dropped', async () => {
    const reply = await through('headers');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('headers');
    const lines: string[] = [];
    for (let i = 0; i < reply.rawHeaders.length; i += 2) {
      const name = reply.rawHeaders[i]?.toLowerCase() ?? '';
      if (name !== 'date' && name !== 'connection' && name !== 'transfer-encoding' && name !== 'keep-alive')
        lines.push(`${name}: ${reply.rawHeaders[i + 1]}`);
    }
    expect(lines).toEqual([
      'x-a: 1, 2',
      'content-type: text/plain',
      'set-cookie: a=1',
      'set-cookie: b=2',
      'cache-control: no-store, private',
    ]);
    // The service's own Connection / Keep-Alive never reach the client; the edge speaks for itself.
    expect(reply.headers.connection).toBe('close');
    expect(reply.headers['keep-alive']).toBeUndefined();
  });

  it('does not pass 1xx informational answers on, only the final one', async () => {
    const reply = await through('hints');
    expect(reply.informational).toEqual([]);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('hinted');
  });

  it("keeps connections to a service idle for less than Node's server keep-alive timeout", () => {
    // The edge, not the service, must close an idle connection: otherwise a request may be sent on a
    // connection the service is closing at that moment.
    expect(UPSTREAM_IDLE_TIMEOUT_MS).toBeLessThan(new http.Server().keepAliveTimeout);
  });

  it('closes an idle connection to the service once its idle time has passed', async () => {
    const IDLE_MS = 300;
    const brisk = await startLocalEdge({ ...options(), upstreamIdleTimeoutMs: IDLE_MS });
    try {
      const reply = await call(brisk, '/oauth2/register/keep-alive-brisk');
      expect(reply.status).toBe(200);
      const socket = socketOf('keep-alive-brisk');
      expect(socket?.destroyed).toBe(false);
      const idleSince = performance.now();
      // The service keeps idle connections for 60 s: a close is the edge's doing. Waited for without an
      // upper bound (the test's own timeout is the deadline); the lower bound shows it was the idle timer.
      await new Promise<void>((resolve) => socket?.once('close', () => resolve()));
      expect(performance.now() - idleSince).toBeGreaterThanOrEqual(IDLE_MS - 20);
    } finally {
      await brisk.close();
    }
  });
});
