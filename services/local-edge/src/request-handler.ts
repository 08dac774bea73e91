import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Span } from '@opentelemetry/api';
import type { EdgeListener, UpstreamService } from '@psd2/edge-config';
import type { Logger } from '@psd2/logging';
import { EDGE_REPLIES, sendReply } from './edge-replies.js';
import { isTraced, requestDurationHistogram, traceExchange, traceFields } from './edge-tracing.js';
import { connectionIdentity } from './forwarded-client-cert.js';
import { forward } from './proxy.js';
import { readBody } from './request-body.js';
import { singleHeader, upstreamRequestHeaders } from './request-headers.js';
import { routeRequest } from './routing.js';
import type { Upstreams } from './upstream-pools.js';

/**
 * What the edge does with one client request: check and route it as Envoy would (routing.ts), read its
 * body, and hand it to the proxy.
 * Every request is traced and logged once, whatever its outcome. `listener`: which part of the route
 * table this server serves (the public or the internal listener).
 */
export function createRequestHandler(
  upstreams: Upstreams,
  logger: Logger | undefined,
  listener: EdgeListener = 'public',
): http.RequestListener {
  const duration = requestDurationHistogram();
  return (request, response) => {
    let routed: UpstreamService | undefined;
    const span = traceExchange(request, response, duration, () => routed);
    const markRouted = (service: UpstreamService) => {
      routed = service;
    };
    handle(request, response, span, markRouted).catch((error: unknown) => {
      logger?.error({ err: error }, 'local edge failed to handle a request');
      if (!response.headersSent) sendReply(response, EDGE_REPLIES.edgeFailed);
      else response.destroy();
    });
  };

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    span: Span,
    markRouted: (service: UpstreamService) => void,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const socket = request.socket as TLSSocket;
    const identity = connectionIdentity(socket);
    if (identity.refused) {
      // Unreachable after the secureConnection check; kept so that no path forwards an unverified certificate.
      socket.destroy();
      return;
    }
    const requestId = singleHeader(request.headers['x-request-id']) ?? randomUUID();
    const routing = routeRequest(request, listener);
    const log = (status: number, service?: UpstreamService) =>
      logger?.info(
        {
          request_id: requestId,
          ...traceFields(span),
          traceparent: singleHeader(request.headers.traceparent),
          method: request.method,
          path: routing.target?.path,
          status,
          upstream: service,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'edge request',
      );
    if (routing.refused !== undefined) {
      sendReply(response, routing.refused);
      log(routing.refused.status);
      return;
    }
    const { target, service } = routing;
    const body = await readBody(request);
    if (body === undefined) {
      sendReply(response, EDGE_REPLIES.bodyTooLarge);
      log(EDGE_REPLIES.bodyTooLarge.status, service);
      return;
    }

    markRouted(service);
    const headers = upstreamRequestHeaders(request, {
      traced: isTraced(span),
      clientCertificate: identity.element,
      requestId,
      bodyLength: body.length,
    });
    const method = request.method ?? 'GET';
    const status = await forward(
      upstreams.of(service),
      { method, target, headers, body },
      response,
      span,
      logger,
    );
    log(status, service);
  }
}
