import http from 'node:http';
import { EDGE_HEALTH } from '@psd2/edge-config';
import { EDGE_REPLIES, sendJson, sendReply } from './edge-replies.js';
import { closed, listen, urlOf } from './listening.js';

export interface HealthListener {
  /** http://<host>:<port>/ready as actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Plain-HTTP `GET /ready`, like envoy.yaml's health listener: 200 while serving, 503 once `draining`
 * says the edge is closing, so that probes stop sending traffic first.
 */
export async function startHealthListener(
  host: string,
  port: number,
  draining: () => boolean,
): Promise<HealthListener> {
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === EDGE_HEALTH.path) {
      const closing = draining();
      sendJson(response, closing ? 503 : 200, JSON.stringify({ status: closing ? 'draining' : 'ok' }));
    } else {
      sendReply(response, EDGE_REPLIES.notFound);
    }
  });
  const address = await listen(server, port, host);
  return {
    url: `${urlOf('http', address)}${EDGE_HEALTH.path}`,
    async close() {
      server.closeAllConnections();
      await closed(server).catch(() => undefined);
    },
  };
}
