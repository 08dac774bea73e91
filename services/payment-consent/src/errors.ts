import { status } from '@grpc/grpc-js';
import type { CallFailure } from '@psd2/grpc-server';
import { isDependencyUnavailable } from '@psd2/oauth-errors';

/*
 * The one error model of this API: the domain throws PaymentConsentError with a kind, the gRPC layer
 * turns it into the status code the kind names (and nothing else), with the message as details.
 */

export type PaymentConsentErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'failed_precondition'
  | 'unavailable';

const STATUS_OF: Readonly<Record<PaymentConsentErrorKind, status>> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  failed_precondition: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
};

export class PaymentConsentError extends Error {
  override readonly name = 'PaymentConsentError';
  readonly kind: PaymentConsentErrorKind;

  constructor(kind: PaymentConsentErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export const invalidArgument = (message: string) => new PaymentConsentError('invalid_argument', message);

/**
 * The status a failure is answered with, or undefined for an unexpected one (a bug: INTERNAL, logged,
 * its message never sent). Redis or the registry unreachable is UNAVAILABLE: the payment API retries.
 */
export function toServiceError(error: unknown): CallFailure | undefined {
  if (error instanceof PaymentConsentError) return { code: STATUS_OF[error.kind], details: error.message };
  if (isDependencyUnavailable(error)) {
    return {
      code: status.UNAVAILABLE,
      details: 'a dependency (token store or client registry) is unavailable',
    };
  }
  return undefined;
}
