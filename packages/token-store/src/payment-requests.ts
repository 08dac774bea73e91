import type { PaymentInitiationDetail } from '@psd2/payment-details';
import type { PaymentRequestRecord, PaymentRequestStatus } from './records.js';
import { generatePaymentRequestId } from './secrets.js';

/** A new pending payment request (both ways in: the payment API and a pushed request). */
export function newPaymentRequest(fields: {
  readonly clientId: string;
  readonly detail: PaymentInitiationDetail;
  readonly origin: PaymentRequestRecord['origin'];
  readonly resourceId?: string;
  /** Unix seconds. */
  readonly now: number;
  readonly lifetimeSeconds: number;
}): PaymentRequestRecord {
  return {
    paymentRequestId: generatePaymentRequestId(),
    clientId: fields.clientId,
    detail: fields.detail,
    origin: fields.origin,
    ...(fields.resourceId === undefined ? {} : { resourceId: fields.resourceId }),
    status: 'pending',
    createdAt: fields.now,
    expiresAt: fields.now + fields.lifetimeSeconds,
  };
}

/** The status as the payment API and the pages see it: a pending request past its time is `expired`. */
export function paymentRequestStatus(
  record: PaymentRequestRecord,
  nowSeconds: number,
): PaymentRequestStatus | 'expired' {
  return record.status === 'pending' && nowSeconds >= record.expiresAt ? 'expired' : record.status;
}
