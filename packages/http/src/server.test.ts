import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@psd2/logging';
import { createHttpApp } from './app.js';
import { startHttpServer } from './server.js';

const logger = createLogger({ name: 'shutdown-test', level: 'silent' });

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('startHttpServer graceful shutdown', () => {
  it('finishes in-flight requests, then refuses new connections and closes dependencies', async () => {
    const slowStarted = deferred();
    const releaseSlow = deferred();
    let dependenciesClosed = false;
    const app = createHttpApp({
      logger,
      routes: (router) => {
        router.get('/slow', async (_req, res) => {
          slowStarted.resolve();
          await releaseSlow.promise;
          res.json({ finished: true });
        });
      },
    });
    const running = await startHttpServer(app, {
      host: '127.0.0.1',
      port: 0,
      logger,
      handleSignals: false,
      onClose: async () => {
        dependenciesClosed = true;
      },
    });

    const inFlight = fetch(`${running.url}/slow`);
    await slowStarted.promise;
    const started = Date.now();
    const stopped = running.shutdown('test');

    const newConnectionRefused = await fetch(`${running.url}/healthz`).then(
      () => false,
      () => true,
    );
    expect(newConnectionRefused).toBe(true);
    expect(dependenciesClosed).toBe(false);

    releaseSlow.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await stopped;
    expect(dependenciesClosed).toBe(true);
    // Drained promptly, not by the 10 s safety timeout.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
