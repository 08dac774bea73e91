import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { PROBE_PATHS } from './health.js';

export interface HealthListener {
  /** http://<host>:<port>, as bound. */
  readonly url: string;
  close(): Promise<void>;
}

const NOT_FOUND = JSON.stringify({ error: 'invalid_request', error_description: 'No such endpoint.' });

/**
 * HEALTH_PORT: plain HTTP for kubelet's probes, which cannot present the edge's certificate. Only
 * `GET`/`HEAD` of `/healthz` and `/readyz` reach the app (the same handlers, so readiness still
 * reports draining and dependencies); every other request is 404 without touching it.
 */
export async function startHealthListener(app: Express, host: string, port: number): Promise<HealthListener> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    if ((req.method === 'GET' || req.method === 'HEAD') && PROBE_PATHS.has(path)) {
      app(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(NOT_FOUND);
  });
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
