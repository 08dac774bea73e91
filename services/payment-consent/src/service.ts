import { unaryCalls } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import type { PaymentConsentServiceServer } from '@psd2/payment-consent-proto';
import { toServiceError } from './errors.js';
import { dateOf, paymentRequestMessageOf, statusMessageOf } from './mapping.js';
import type { PaymentConsent } from './payment-consent.js';
import { outcomeOf, paymentRequestIdOf, registerInputOf } from './requests.js';

/*
 * The gRPC handlers: each checks its request, calls the domain, and writes the answer. Every failure
 * becomes one status code (errors.ts); an unexpected one is INTERNAL, logged, never described (the
 * call itself, its deadline cap and metric: @psd2/grpc-server's unaryCalls).
 */

export const SERVICE_NAME = 'psd2.paymentconsent.v1.PaymentConsentService';

export interface ServiceOptions {
  readonly consent: PaymentConsent;
  readonly logger: Logger;
  /** Upper bound for a call that came without a deadline, or with a very long one. */
  readonly maxCallMs?: number;
  /** Unix seconds, for the status as of now; tests pass their own clock. */
  readonly now?: () => number;
}

export function createPaymentConsentService(options: ServiceOptions): PaymentConsentServiceServer {
  const { consent, logger } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const unary = unaryCalls({
    service: SERVICE_NAME,
    logger,
    maxCallMs: options.maxCallMs ?? 5000,
    classify: toServiceError,
  });

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
      const found = await consent.find(paymentRequestIdOf(request.paymentRequestId));
      return { paymentRequest: paymentRequestMessageOf(found.record, now(), found.boundTokenActive) };
    }),

    reportPaymentOutcome: unary('ReportPaymentOutcome', async (request) => {
      const paymentRequestId = paymentRequestIdOf(request.paymentRequestId);
      const completed = await consent.complete(paymentRequestId, outcomeOf(request.outcome));
      logger.info({ paymentRequestId, status: completed.status }, 'payment outcome reported; consent ended');
      return { status: statusMessageOf(completed.status), completedAt: dateOf(completed.completedAt) };
    }),
  };
}
