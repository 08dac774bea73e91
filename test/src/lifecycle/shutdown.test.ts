import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchAsTheEdge, freePort, repoRoot, serviceTlsEnv, startNodeProcess, testPki } from '@psd2/testing';

/*
 * Every process is gone within 10 s of SIGTERM (Kubernetes' grace period and `pnpm start`'s), also when
 * the OTLP collector it exports to has stopped: refused connections (the port closed) or a collector
 * that accepts and never answers. Each process has telemetry to flush when the signal comes.
 */

const EXIT_LIMIT_MS = 10_000;

/** Takes connections and reads them, never answering: a hung collector. */
function startSilentCollector(): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, sockets });
    });
  });
}

interface ServiceUnderTest {
  readonly name: string;
  readonly readyLine: string;
  env(port: number): Record<string, string> | Promise<Record<string, string>>;
  /** Something that makes a span to export (an HTTP request), when the service takes one. */
  exercise?(port: number): Promise<void>;
}

const SERVICES: readonly ServiceUnderTest[] = [
  {
    name: 'token',
    readyLine: '"msg":"listening"',
    // As every HTTP service runs: HTTPS for the edge's certificate alone, probes on HEALTH_PORT.
    env: async (port) => ({
      PORT: String(port),
      HEALTH_PORT: String(await freePort()),
      ...serviceTlsEnv(await testPki(), 'token'),
      DEPLOYMENT_MODE: 'sandbox',
      REDIS_URL: '',
    }),
    async exercise(port) {
      await fetchAsTheEdge(await testPki())(
        `https://127.0.0.1:${port}/.well-known/oauth-authorization-server`,
      );
    },
  },
  {
    name: 'client-registry',
    readyLine: 'client registry listening',
    env: (port) => ({
      PORT: String(port),
      DEPLOYMENT_MODE: 'sandbox',
      DATABASE_URL: '',
      PGLITE_DATA_DIR: 'memory://',
      REGISTRY_PLAINTEXT: 'true',
    }),
  },
  {
    name: 'local-edge',
    readyLine: 'local edge listening',
    env: async (port) => ({
      EDGE_PORT: String(port),
      EDGE_HEALTH_PORT: String(await freePort()),
      // The shared test PKI (its files are written once, under a lock).
      DEMO_PKI_DIR: '.local/test-pki',
    }),
  },
];

const COLLECTORS = ['closed port', 'hung collector'] as const;

describe('exit after SIGTERM with the OTLP collector gone', () => {
  let silent: Awaited<ReturnType<typeof startSilentCollector>>;
  let closedPortUrl: string;

  beforeAll(async () => {
    silent = await startSilentCollector();
    closedPortUrl = `http://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    for (const socket of silent.sockets) socket.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  });

  for (const service of SERVICES) {
    for (const collector of COLLECTORS) {
      it(`${service.name} exits 0 within 10 s (${collector})`, async () => {
        const port = await freePort();
        const process_ = startNodeProcess({
          cwd: join(repoRoot, 'services', service.name),
          args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
          env: {
            ...(await service.env(port)),
            LOG_LEVEL: 'info',
            OTEL_EXPORTER_OTLP_ENDPOINT: collector === 'closed port' ? closedPortUrl : silent.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_SERVICE_NAME: '',
          },
        });
        try {
          // Generous: a cold start on a busy two-core machine (PGlite's WebAssembly) can take half a minute.
          await process_.waitForOutput(service.readyLine, 60_000);
          await service.exercise?.(port);
          const signalled = Date.now();
          process_.child.kill('SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          const exit = await Promise.race([
            process_.exited,
            new Promise<'still running'>((resolve) => {
              timer = setTimeout(() => resolve('still running'), 15_000);
            }),
          ]);
          clearTimeout(timer);
          const elapsedMs = Date.now() - signalled;
          process.stdout.write(`${service.name} (${collector}): exited ${elapsedMs} ms after SIGTERM\n`);
          expect(exit).toEqual({ code: 0, signal: null });
          expect(elapsedMs).toBeLessThan(EXIT_LIMIT_MS);
        } finally {
          await process_.stop(1000);
        }
      }, 90_000);
    }
  }
});
