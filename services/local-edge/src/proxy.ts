// undici's Pool, not a proxy library: http-proxy-3 (over http.request) cost ~200-290 µs CPU a request against undici's ~95-155 µs in the same minimal https→http proxy (2026-12, shared 2-core machine), and this process fronts every benchmark request.
import type http from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Logger } from '@psd2/logging';
import type { Dispatcher } from 'undici';
import { EDGE_REPLIES, type EdgeReply, sendReply } from './edge-replies.js';
import { endCallSpan, startCallSpan } from './edge-tracing.js';
import { clientResponseHeaders } from './response-headers.js';
import type { Target } from './target.js';
import { upstreamFailureOf } from './upstream-failures.js';
import type { Upstream } from './upstream-pools.js';

/** A request as the edge sends it on: its body read whole, its fields those for the service. */
export interface OutgoingRequest {
  readonly method: string;
  readonly target: Target;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * Sends the request to the service and streams its answer to the client, or answers the failure
 * itself. Resolves with the status the access log records, once the response has started or the call
 * has failed; rejects only when undici refused the request the edge built (the edge's own fault).
 */
export function forward(
  upstream: Upstream,
  request: OutgoingRequest,
  response: http.ServerResponse,
  parent: Span,
  logger: Logger | undefined,
): Promise<number> {
  const { method, target, headers, body } = request;
  const span = startCallSpan(parent, method, upstream, target.path, headers);
  return new Promise((resolve, reject) => {
    const call = new UpstreamCall(response, span, upstream.href, logger, resolve, reject);
    // The client gave up: stop the upstream work too, and free the connection.
    response.once('close', () => {
      if (!response.writableFinished) call.cancel();
    });
    // Gone already, before the listener above: its 'close' will not come again, and an answer written
    // to it would never drain, pausing the call on its pooled connection for good.
    if (response.destroyed) call.cancel();
    upstream.pool.dispatch(
      // reset: false keeps the connection after a HEAD too, as http.Agent did; undici would close it
      // in case a server sends a body to HEAD anyway, which Node servers do not.
      { path: `${target.path}${target.search}`, method, headers, body, reset: false },
      call,
    );
  });
}

/** One call to a service, as undici's dispatch handler: the response is written to the client as it arrives (with backpressure). */
class UpstreamCall implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  /** The service's status once its response has started; the client has had the status line then. */
  #status: number | undefined;
  #clientGone = false;
  #spanEnded = false;

  constructor(
    private readonly response: http.ServerResponse,
    private readonly span: Span,
    private readonly upstreamHref: string,
    private readonly logger: Logger | undefined,
    private readonly settle: (status: number) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  /** The client went away before its response finished. */
  cancel(): void {
    this.#clientGone = true;
    // Not started yet (waiting for a pooled connection): onRequestStart aborts it.
    this.#controller?.abort(new Error('the client closed the connection'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#clientGone) {
      controller.abort(new Error('the client closed the connection'));
      return;
    }
    this.#controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Dispatcher.ResponseData['headers'],
  ): void {
    // 1xx answers (103 Early Hints) stay between the edge and the service, as with http.request.
    if (statusCode < 200) return;
    // Set once the head is out: should writeHead refuse a field, the failure is answered 502.
    this.response.writeHead(statusCode, clientResponseHeaders(headers));
    this.#status = statusCode;
    this.settle(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.response.write(chunk)) {
      controller.pause();
      this.response.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.response.end();
    this.#endSpan(this.#status, false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const failure = upstreamFailureOf(error, this.#clientGone);
    if (this.#status !== undefined) {
      // The status line is out: all that is left is to cut the client off.
      this.#endSpan(failure === 'timed-out' ? undefined : this.#status, true);
      this.response.destroy();
      return;
    }
    this.#endSpan(undefined, true);
    if (failure === 'refused-locally') {
      this.fail(error);
      return;
    }
    if (failure === 'timed-out') {
      this.#answer(EDGE_REPLIES.upstreamTimedOut);
      return;
    }
    this.logger?.warn({ err: error, upstream: this.upstreamHref }, 'upstream request failed');
    this.#answer(
      failure === 'unreachable' ? EDGE_REPLIES.upstreamUnavailable : EDGE_REPLIES.upstreamMisbehaved,
    );
  }

  #answer(reply: EdgeReply): void {
    if (!this.response.headersSent && !this.response.destroyed) sendReply(this.response, reply);
    this.settle(reply.status);
  }

  #endSpan(status: number | undefined, failed: boolean): void {
    if (this.#spanEnded) return;
    this.#spanEnded = true;
    endCallSpan(this.span, status, failed);
  }
}
