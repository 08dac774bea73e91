import { type handleUnaryCall, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import type { PaymentConsentServiceServer } from '@psd2/payment-consent-proto';
import { instruments } from '@psd2/telemetry';
import { PaymentConsentError, toServiceError } from './errors.js';
import { dateOf, paymentRequestMessageOf, statusMessageOf } from './mapping.js';
import type { PaymentConsent } from './payment-consent.js';
import { outcomeOf, paymentRequestIdOf, registerInputOf } from './requests.js';

/*
 * The gRPC handlers: each checks its request, calls the domain, and writes the answer. Every failure
 * becomes one status code (errors.ts); an unexpected one is INTERNAL, logged here, never described.
 */

export const SERVICE_NAME = 'psd2.paymentconsent.v1.PaymentConsentService';

export interface ServiceOptions {
  readonly consent: PaymentConsent;
  readonly logger: Logger;
  /** Upper bound for a call that came without a deadline, or with a very long one. */
  readonly maxCallMs?: number;
  /** Told when a call failed because Redis or the registry is unreachable, so health can follow. */
  readonly onDependencyUnavailable?: () => void;
  /** Unix seconds, for the status as of now; tests pass their own clock. */
  readonly now?: () => number;
}

function remainingMs(deadline: Date | number): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - Date.now() : Number.POSITIVE_INFINITY;
}

export function createPaymentConsentService(options: ServiceOptions): PaymentConsentServiceServer {
  const { consent, logger } = options;
  const maxCallMs = options.maxCallMs ?? 5000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  function unary<Req, Res>(method: string, work: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, untimedCallback) => {
      const started = performance.now();
      const callback: typeof untimedCallback = (error, ...rest) => {
        instruments().rpcServerDuration.record((performance.now() - started) / 1000, {
          'rpc.system': 'grpc',
          'rpc.service': SERVICE_NAME,
          'rpc.method': method,
          'rpc.grpc.status_code': error ? (error.code ?? status.UNKNOWN) : status.OK,
        });
        untimedCallback(error, ...rest);
      };
      const timeoutMs = Math.min(remainingMs(call.getDeadline()), maxCallMs);
      let timer: NodeJS.Timeout | undefined;
      const expiry = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new PaymentConsentError('deadline_exceeded', `${method} did not finish before its deadline`),
            ),
          Math.max(timeoutMs, 0),
        );
      });
      Promise.race([Promise.resolve().then(() => work(call.request)), expiry])
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            const answer = toServiceError(error);
            if (answer === undefined) {
              logger.error({ err: error, method }, 'payment consent call failed unexpectedly');
              callback({ code: status.INTERNAL, details: 'internal error in the payment consent service' });
              return;
            }
            if (answer.code === status.UNAVAILABLE) {
              options.onDependencyUnavailable?.();
              logger.warn(
                { err: error, method },
                'a dependency of the payment consent service is unavailable',
              );
            } else if (answer.code === status.DEADLINE_EXCEEDED) {
              logger.warn({ method, timeoutMs }, 'payment consent call exceeded its deadline');
            }
            callback(answer);
          },
        )
        .finally(() => clearTimeout(timer));
    };
  }

  return {
    registerPaymentRequest: unary('RegisterPaymentRequest', async (request) => {
      const registered = await consent.register(registerInputOf(request));
      logger.info(
        { paymentRequestId: registered.paymentRequestId, clientId: request.clientId },
        'payment request registered',
      );
      return {
        paymentRequestId: registered.paymentRequestId,
        consentApprovalUrl: registered.consentApprovalUrl,
        expiresAt: dateOf(registered.expiresAt),
      };
    }),

    getPaymentRequest: unary('GetPaymentRequest', async (request) => {
      const record = await consent.find(paymentRequestIdOf(request.paymentRequestId));
      return { paymentRequest: paymentRequestMessageOf(record, now()) };
    }),

    reportPaymentOutcome: unary('ReportPaymentOutcome', async (request) => {
      const paymentRequestId = paymentRequestIdOf(request.paymentRequestId);
      const completed = await consent.complete(paymentRequestId, outcomeOf(request.outcome));
      logger.info({ paymentRequestId, status: completed.status }, 'payment outcome reported; consent ended');
      return { status: statusMessageOf(completed.status), completedAt: dateOf(completed.completedAt) };
    }),
  };
}
