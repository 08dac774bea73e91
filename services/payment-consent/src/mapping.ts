import { InvalidAuthorizationDetailsError } from '@psd2/oauth-errors';
import {
  type PaymentDetails as PaymentDetailsMessage,
  PaymentKind,
  type PaymentRequest as PaymentRequestMessage,
  PaymentRequestStatus,
} from '@psd2/payment-consent-proto';
import { checkPaymentDetail, type PaymentInitiationDetail } from '@psd2/payment-details';
import { type PaymentRequestRecord, paymentRequestStatus } from '@psd2/token-store';
import { invalidArgument } from './errors.js';

/*
 * Between the wire messages and RFC 9396 `payment_initiation` authorization details. The details are
 * checked by @psd2/payment-details' checkPaymentDetail, the very rules a PISP's pushed request meets,
 * so a payment the API registers is one PAR would have accepted, and the reverse.
 */

/** RFC 9396 member paths, as checkPaymentDetail names them, and the proto field each comes from. */
const FIELD_OF_MEMBER: ReadonlyArray<readonly [string, string]> = [
  ['instructedAmount.currency', 'details.instructed_amount.currency'],
  ['instructedAmount.amount', 'details.instructed_amount.amount'],
  ['instructedAmount', 'details.instructed_amount'],
  ['creditorName', 'details.creditor_name'],
  ['creditorAccount.iban', 'details.creditor_iban'],
  ['remittanceInformationUnstructured', 'details.remittance_information'],
  ['debtorAccount.iban', 'details.debtor_iban'],
  ['paymentId', 'details.payment_id'],
  ['actions', 'kind'],
];

/** The refusal's message with the RFC 9396 member replaced by the proto field the caller set. */
function protoFieldMessage(message: string): string {
  for (const [member, field] of FIELD_OF_MEMBER) {
    if (message === member || message.startsWith(`${member} `))
      return `${field}${message.slice(member.length)}`;
  }
  return message;
}

/** The RFC 9396 object the message stands for, checked; INVALID_ARGUMENT names the faulty field. */
export function paymentDetailOf(
  kind: PaymentKind,
  details: PaymentDetailsMessage | undefined,
): PaymentInitiationDetail {
  if (kind !== PaymentKind.PAYMENT_KIND_INITIATE && kind !== PaymentKind.PAYMENT_KIND_CANCEL) {
    throw invalidArgument('kind is required: PAYMENT_KIND_INITIATE or PAYMENT_KIND_CANCEL');
  }
  if (details === undefined) throw invalidArgument('details is required');
  if (details.instructedAmount === undefined) throw invalidArgument('details.instructed_amount is required');
  const candidate = {
    type: 'payment_initiation',
    actions: [kind === PaymentKind.PAYMENT_KIND_INITIATE ? 'initiate' : 'cancel'],
    instructedAmount: {
      currency: details.instructedAmount.currency,
      amount: details.instructedAmount.amount,
    },
    creditorName: details.creditorName,
    creditorAccount: { iban: details.creditorIban },
    ...(details.remittanceInformation === undefined
      ? {}
      : { remittanceInformationUnstructured: details.remittanceInformation }),
    ...(details.debtorIban === undefined ? {} : { debtorAccount: { iban: details.debtorIban } }),
    ...(details.paymentId === undefined ? {} : { paymentId: details.paymentId }),
  };
  try {
    return checkPaymentDetail(candidate);
  } catch (error) {
    if (!(error instanceof InvalidAuthorizationDetailsError)) throw error;
    throw invalidArgument(protoFieldMessage(error.detail ?? error.description));
  }
}

export function kindOf(detail: PaymentInitiationDetail): PaymentKind {
  return detail.actions[0] === 'cancel' ? PaymentKind.PAYMENT_KIND_CANCEL : PaymentKind.PAYMENT_KIND_INITIATE;
}

export function detailsMessageOf(detail: PaymentInitiationDetail): PaymentDetailsMessage {
  return {
    instructedAmount: { currency: detail.instructedAmount.currency, amount: detail.instructedAmount.amount },
    creditorName: detail.creditorName,
    creditorIban: detail.creditorAccount.iban,
    ...(detail.remittanceInformationUnstructured === undefined
      ? {}
      : { remittanceInformation: detail.remittanceInformationUnstructured }),
    ...(detail.debtorAccount === undefined ? {} : { debtorIban: detail.debtorAccount.iban }),
    ...(detail.paymentId === undefined ? {} : { paymentId: detail.paymentId }),
  };
}

const STATUS_MESSAGE: Readonly<Record<ReturnType<typeof paymentRequestStatus>, PaymentRequestStatus>> = {
  pending: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
  approved: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
  rejected: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_REJECTED,
  expired: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED,
  executed: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXECUTED,
  cancelled: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CANCELLED,
};

export function statusMessageOf(value: ReturnType<typeof paymentRequestStatus>): PaymentRequestStatus {
  return STATUS_MESSAGE[value];
}

/** Unix seconds as a protobuf Timestamp (a Date in ts-proto's mapping). */
export const dateOf = (seconds: number | undefined): Date | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000);

/**
 * A stored request as the payment API reads it; the status as of `nowSeconds` (expired included), and
 * `boundTokenActive` as the store answered it for the bound token.
 */
export function paymentRequestMessageOf(
  record: PaymentRequestRecord,
  nowSeconds: number,
  boundTokenActive: boolean,
): PaymentRequestMessage {
  return {
    paymentRequestId: record.paymentRequestId,
    status: statusMessageOf(paymentRequestStatus(record, nowSeconds)),
    clientId: record.clientId,
    ...(record.resourceId === undefined ? {} : { resourceId: record.resourceId }),
    kind: kindOf(record.detail),
    details: detailsMessageOf(record.detail),
    createdAt: dateOf(record.createdAt),
    expiresAt: dateOf(record.expiresAt),
    decidedAt: dateOf(record.decidedAt),
    completedAt: dateOf(record.completedAt),
    ...(record.subject === undefined ? {} : { subject: record.subject }),
    ...(record.grantId === undefined ? {} : { grantId: record.grantId }),
    boundToken:
      record.token === undefined
        ? undefined
        : {
            accessTokenSha256: record.token.accessTokenHash,
            cnfX5tS256: record.token.certificateThumbprint,
            issuedAt: dateOf(record.token.issuedAt),
            expiresAt: dateOf(record.token.expiresAt),
            active: boundTokenActive,
          },
  };
}
