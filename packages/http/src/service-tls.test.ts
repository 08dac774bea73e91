import { copyFile, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@psd2/logging';
import { testPki } from '@psd2/testing';
import { createHttpApp } from './app.js';
import { isEdgeConnection } from './edge-connection.js';
import { type HealthListener, startHealthListener } from './health-listener.js';
import { type RunningServer, startHttpServer } from './server.js';
import { type EdgeTlsSettings, loadEdgeTls } from './service-tls.js';
import { callOverTls } from './service-tls.test-support.js';

/* A service's PORT: HTTPS that answers the edge's client certificate alone; HEALTH_PORT: the probes. */

type Pki = Awaited<ReturnType<typeof testPki>>;
const logger = createLogger({ name: 'service-tls-test', level: 'silent' });

let pki: Pki;
let dir: string;
let settings: EdgeTlsSettings;
let running: RunningServer;
let health: HealthListener;
const files = async (pair: { cert: string; key: string }) => ({
  cert: await readFile(pair.cert),
  key: await readFile(pair.key),
});

beforeAll(async () => {
  pki = await testPki();
  // Copies, so that the rotation test can replace them.
  dir = await mkdtemp(join(tmpdir(), 'service-tls-'));
  settings = {
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    edgePeerCaFile: join(dir, 'ca.crt'),
    edgePeerNames: ['psd2-edge'],
  };
  await copyFile(pki.internal.services.token.cert, settings.certFile);
  await copyFile(pki.internal.services.token.key, settings.keyFile);
  await copyFile(pki.internal.ca.cert, settings.edgePeerCaFile);
  const app = createHttpApp({
    logger,
    routes: (router) => {
      router.get('/who', (req, res) => {
        res.json({ fromEdge: isEdgeConnection(req.socket), xfcc: req.headers['x-forwarded-client-cert'] });
      });
    },
  });
  running = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    logger,
    handleSignals: false,
    edgeTls: await loadEdgeTls(settings),
  });
  health = await startHealthListener(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await running.shutdown();
  await health.close();
  await rm(dir, { recursive: true, force: true });
});

const internalCa = () => readFile(pki.internal.ca.cert);

describe('the service port', () => {
  it("answers the edge's client certificate, and marks the connection as the edge's", async () => {
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const outcome = await callOverTls(
      `${running.url}/who`,
      { ca: await internalCa(), ...(await files(pki.internal.edge)) },
      { 'x-forwarded-client-cert': 'Hash=00' },
    );
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body ?? '')).toEqual({ fromEdge: true, xfcc: 'Hash=00' });
  });

  it('refuses a connection without a client certificate in the handshake', async () => {
    const outcome = await callOverTls(`${running.url}/who`, { ca: await internalCa() });
    expect(outcome.status).toBeUndefined();
    expect(outcome.failure).toMatch(/ECONNRESET|ERR_SSL|EPIPE/);
  });

  it("refuses a TPP's QWAC, which no internal CA issued", async () => {
    const outcome = await callOverTls(`${running.url}/who`, {
      ca: await internalCa(),
      ...(await files(pki.qwacs['tpp-a'])),
    });
    expect(outcome.status).toBeUndefined();
  });

  it('refuses a certificate of the internal CA that is not the edge: another workload, a server', async () => {
    for (const pair of [pki.internal.notEdge, pki.internal.services.registration]) {
      const outcome = await callOverTls(`${running.url}/who`, {
        ca: await internalCa(),
        ...(await files(pair)),
      });
      expect(outcome.status).toBeUndefined();
      expect(outcome.failure).toMatch(/ECONNRESET|ERR_SSL|EPIPE|socket hang up/);
    }
  });

  it('applies renewed certificate files to new connections without a restart', async () => {
    const before = await callOverTls(`${running.url}/who`, {
      ca: await internalCa(),
      ...(await files(pki.internal.edge)),
    });
    // cert-manager's way: the new files renamed over the old ones.
    await copyFile(pki.internal.services.revocation.cert, `${settings.certFile}.new`);
    await copyFile(pki.internal.services.revocation.key, `${settings.keyFile}.new`);
    await rename(`${settings.keyFile}.new`, settings.keyFile);
    await rename(`${settings.certFile}.new`, settings.certFile);
    const deadline = Date.now() + 10_000;
    let after = before;
    while (Date.now() < deadline && after.serverSerial === before.serverSerial) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await callOverTls(`${running.url}/who`, {
        ca: await internalCa(),
        ...(await files(pki.internal.edge)),
      });
    }
    expect(after.status).toBe(200);
    expect(after.serverSerial).not.toBe(before.serverSerial);
  });
});

describe('the health port', () => {
  it('serves the probes in plain HTTP', async () => {
    const live = await fetch(`${health.url}/healthz`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${health.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves nothing else: no endpoint, no other method', async () => {
    for (const [path, method] of [
      ['/who', 'GET'],
      ['/healthz', 'POST'],
      ['/healthz/../who', 'GET'],
    ] as const) {
      const response = await fetch(`${health.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'No such endpoint.',
      });
    }
  });
});

describe('loadEdgeTls', () => {
  it("refuses a key that is not the certificate's, and a CA file without a certificate", async () => {
    await expect(
      loadEdgeTls({
        ...settings,
        certFile: pki.internal.services.token.cert,
        keyFile: pki.internal.edge.key,
      }),
    ).rejects.toThrow(/^TLS_CERT_FILE and TLS_KEY_FILE do not make a TLS server identity/);
    await expect(loadEdgeTls({ ...settings, edgePeerCaFile: pki.internal.edge.key })).rejects.toThrow(
      /^EDGE_PEER_CA_FILE holds no PEM certificate/,
    );
  });
});
