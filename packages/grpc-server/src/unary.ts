import { type handleUnaryCall, type Metadata, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import { instruments } from '@psd2/telemetry';

/** The status a failed call is answered with. */
export interface CallFailure {
  readonly code: status;
  /** Sent to the caller: say what is wrong with the request, never anything internal. */
  readonly details: string;
  /** Trailers, e.g. the service's own error code. */
  readonly metadata?: Metadata;
}

/** Thrown into the classifier when a call ran out of time (its deadline, capped by `maxCallMs`). */
export class CallDeadlineError extends Error {
  override readonly name = 'CallDeadlineError';
}

export interface UnaryOptions {
  /** The full gRPC service name: the metric's `rpc.service` and the log lines. */
  readonly service: string;
  readonly logger: Logger;
  /** Upper bound for a call that came without a deadline, or with a very long one. */
  readonly maxCallMs: number;
  /**
   * The service's error model: the status a failure is answered with, or undefined for an unexpected
   * one (a bug), which is answered INTERNAL, logged, and never described to the caller. A
   * CallDeadlineError the classifier does not name is answered DEADLINE_EXCEEDED.
   */
  readonly classify: (error: unknown) => CallFailure | undefined;
}

/** The work of one method: the request and the milliseconds it has (to bound its own I/O). */
export type UnaryWork<Req, Res> = (request: Req, timeoutMs: number) => Promise<Res>;
export type Unary = <Req, Res>(method: string, work: UnaryWork<Req, Res>) => handleUnaryCall<Req, Res>;

/** Milliseconds left before a call's deadline; Infinity when the caller set none. */
function remainingMs(deadline: Date | number): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - Date.now() : Number.POSITIVE_INFINITY;
}

/**
 * The one way a gRPC service here handles a unary call: `unary(method, work)` bounds the work by the
 * caller's deadline (capped), records `rpc.server.call.duration`, and maps every failure to one status
 * through the service's classifier.
 */
export function unaryCalls(options: UnaryOptions): Unary {
  const { logger, service } = options;
  // Logged as grpcService: `service` is the logger's own field (the process).
  return <Req, Res>(method: string, work: UnaryWork<Req, Res>): handleUnaryCall<Req, Res> =>
    (call: ServerUnaryCall<Req, Res>, callback) => {
      const started = performance.now();
      const answer = (failure: CallFailure | null, response?: Res) => {
        instruments().rpcServerDuration.record((performance.now() - started) / 1000, {
          'rpc.system': 'grpc',
          'rpc.service': service,
          'rpc.method': method,
          'rpc.grpc.status_code': failure === null ? status.OK : failure.code,
        });
        if (failure === null) callback(null, response);
        else callback(failure);
      };
      const timeoutMs = Math.min(remainingMs(call.getDeadline()), options.maxCallMs);
      const fail = (error: unknown) => {
        const failure =
          options.classify(error) ??
          (error instanceof CallDeadlineError
            ? { code: status.DEADLINE_EXCEEDED, details: error.message }
            : undefined);
        if (failure === undefined) {
          logger.error({ err: error, grpcService: service, method }, 'gRPC call failed unexpectedly');
          answer({ code: status.INTERNAL, details: `internal error in ${service}` });
          return;
        }
        if (failure.code === status.UNAVAILABLE) {
          logger.warn(
            { err: error, grpcService: service, method },
            'a dependency of the service is unavailable',
          );
        } else if (failure.code === status.DEADLINE_EXCEEDED) {
          logger.warn({ grpcService: service, method, timeoutMs }, 'gRPC call exceeded its deadline');
        }
        answer(failure);
      };

      // No work for a caller that has already given up.
      if (timeoutMs <= 0) {
        fail(new CallDeadlineError('the deadline had passed on arrival'));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      // The work bounds its own I/O with timeoutMs where it can (a statement timeout); this bounds the
      // wait for everything else (a pooled connection, a queue).
      const expiry = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CallDeadlineError(`${method} did not finish before its deadline`)),
          timeoutMs,
        );
      });
      Promise.race([Promise.resolve().then(() => work(call.request, timeoutMs)), expiry])
        .then((response) => answer(null, response), fail)
        .finally(() => clearTimeout(timer));
    };
}
